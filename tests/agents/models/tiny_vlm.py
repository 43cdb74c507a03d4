"""A tiny randomly initialised LLaVA model and processor, built on the spot so tests need no download.

The weights are random (the text it writes is nonsense) but every piece is real: a trained
byte-level BPE tokenizer, a chat template that places `<image>` where image parts are, a CLIP
vision tower and a Llama language model. It reloads with `AutoProcessor` and
`AutoModelForImageTextToText`, and `transformers serve` can serve it.
"""

from __future__ import annotations

import itertools
from pathlib import Path

IMAGE_TOKEN = "<image>"
SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", IMAGE_TOKEN]
IMAGE_SIZE = 56
PATCH_SIZE = 14
SEED = 0
# Longer than the longest prompt any test sends (about 1,400 tokens with an image and a history): past it,
# `transformers serve` answers HTTP 400 and the HF backend raises, so a test whose prompt grows fails loudly.
CONTEXT_TOKENS = 8192

# Content parts may be a plain string or a list of parts; "image" (local) and "image_url" (OpenAI) both mean an image.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ message['role'] }}: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] in ['image', 'image_url'] %}" + IMAGE_TOKEN + "{% elif part['type'] == 'text' %}"
    "{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "{{ eos_token }}\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)

_VOCABULARY = (
    "the agent sees an image of a maze grid player goal wall box move up down left right action "
    "reasoning answer you are in a game reach step turn observation previous valid invalid think "
    "then say which one is best because path blocked open cell red green blue yellow key door"
)
_WORDS = _VOCABULARY.split()


def _corpus() -> list[str]:
    """A few hundred short deterministic lines: enough for BPE to learn merges for the prompts tests send."""
    lines = []
    for i, (a, b, c) in enumerate(itertools.product(_WORDS[:12], _WORDS[12:24], _WORDS[24:])):
        if i % 7 == 0:
            lines.append(f"user: {a} {b} {c}. Action: {_WORDS[i % len(_WORDS)]} {i % 10}")
    lines += ["system: You are a helpful agent.", "assistant: Action: up", "Action: left, right, down"]
    return lines


def _tokenizer():  # -> PreTrainedTokenizerFast
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(_corpus(), trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        padding_side="left",
        extra_special_tokens={"image_token": IMAGE_TOKEN},
        chat_template=CHAT_TEMPLATE,
    )


def build_tiny_vlm(directory: str | Path) -> Path:
    """Build the tiny model and processor, save both into `directory`, and return it.

    Deterministic: the same seed and corpus give the same tokenizer and weights on every build.
    """
    import torch
    from transformers import (
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    try:  # transformers >= 5.x names its PIL-only processor so; before, the slow processor was that one
        from transformers import LlavaImageProcessorPil
    except ImportError:
        from transformers import LlavaImageProcessor as LlavaImageProcessorPil

    directory = Path(directory)
    tokenizer = _tokenizer()
    image_processor = LlavaImageProcessorPil(
        size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=CHAT_TEMPLATE,
    )
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            image_size=IMAGE_SIZE,
            patch_size=PATCH_SIZE,
        ),
        text_config=LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=CONTEXT_TOKENS,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        ),
        image_token_id=tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    # Fork the RNG so building does not disturb the caller's torch seed.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        model = LlavaForConditionalGeneration(config).eval()
    # Random weights would make greedy decoding pick a special token (often `</s>`) at once; zero logits
    # for them let generation run to max_new_tokens, like a model writing a long answer.
    with torch.no_grad():
        model.get_output_embeddings().weight[tokenizer.convert_tokens_to_ids(SPECIAL_TOKENS)] = 0.0
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
    return directory


if __name__ == "__main__":
    import sys

    print(build_tiny_vlm(sys.argv[1] if len(sys.argv) > 1 else "tiny-vlm"))

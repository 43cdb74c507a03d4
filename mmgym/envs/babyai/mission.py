"""A BabyAI mission's instruction tree read as subgoals: which are done, which come next.

BabyAI missions are trees: leaves `GoToInstr`, `PickupInstr`, `OpenInstr`, `PutNextInstr`, joined
by `BeforeInstr` ("A, then B"), `AfterInstr` ("A after you B") and `AndInstr` ("A and B").
minigrid's verifier checks the tree after every primitive action and records, in each joining
node, which side it has seen completed. A subgoal (leaf) counts as done exactly when the
verifier has recorded it so:

- go to: after an action, the cell in front of the agent is where (one of) the named objects lies;
- pick up: an action picks up (one of) the named objects, the hands having been empty before;
- open: a toggle leaves (one of) the named doors, right in front of the agent, open;
- put next: a drop leaves (one of) the named objects on a cell beside (not diagonal to) one of
  the objects it must go next to.

Order matters as the verifier sees it: in "A, then B" B counts only once A has, in "A after you
B" A counts only once B has, in "A and B" either may come first. A counted subgoal stays counted,
even if the agent walks away or drops the object again. The mission is complete (minigrid's own
verdict) when the root is.
"""

from __future__ import annotations

from minigrid.envs.babyai.core.verifier import ActionInstr, AfterInstr, Instr, SeqInstr


def leaves(instr: Instr) -> list[ActionInstr]:
    """The subgoals in the order the mission states them."""
    if isinstance(instr, SeqInstr):
        return leaves(instr.instr_a) + leaves(instr.instr_b)
    return [instr]


def leaf_status(instr: Instr, done: bool = False) -> list[tuple[ActionInstr, bool]]:
    """Each subgoal with whether the verifier has counted it (`done`: the node itself is complete)."""
    if isinstance(instr, SeqInstr):
        a_done = done or getattr(instr, "a_done", False) == "success"
        b_done = done or getattr(instr, "b_done", False) == "success"
        return leaf_status(instr.instr_a, a_done) + leaf_status(instr.instr_b, b_done)
    return [(instr, done)]


def subgoals_done(instr: Instr, success: bool) -> int:
    return sum(done for _, done in leaf_status(instr, success))


def execution_order(instr: Instr) -> list[ActionInstr]:
    """The subgoals in an order that satisfies the mission: "A after you B" does B first."""
    if isinstance(instr, AfterInstr):
        return execution_order(instr.instr_b) + execution_order(instr.instr_a)
    if isinstance(instr, SeqInstr):
        return execution_order(instr.instr_a) + execution_order(instr.instr_b)
    return [instr]


def pending(instr: Instr, success: bool) -> list[ActionInstr]:
    """The subgoals not yet counted, in execution order."""
    done = {id(leaf) for leaf, is_done in leaf_status(instr, success) if is_done}
    return [leaf for leaf in execution_order(instr) if id(leaf) not in done]


def remaining_tree(instr: Instr, done: bool = False) -> Instr | None:
    """The part of the tree still to do, as an instruction tree (None when nothing is left).

    BabyAIBot plans from a tree; a bot started mid-episode gets this one, so it does not redo
    subgoals the verifier has already counted.
    """
    if done:
        return None
    if not isinstance(instr, SeqInstr):
        return instr
    a = remaining_tree(instr.instr_a, getattr(instr, "a_done", False) == "success")
    b = remaining_tree(instr.instr_b, getattr(instr, "b_done", False) == "success")
    if a is None or b is None:
        return a if b is None else b
    if a is instr.instr_a and b is instr.instr_b:
        return instr
    return type(instr)(a, b)  # a partly done "A, then B" or "A after you B"; an "and" is never partial here

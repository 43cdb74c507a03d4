"""The shared vocabulary: plain data and protocols that every other layer builds on."""

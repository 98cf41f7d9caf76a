"""fusebrief: a bundle of news articles in, one neutral brief out, each sentence citing sources.

Importing the package pins the offline defaults the libraries need: litellm must not fetch its
cost map at import, and tiktoken must read its encodings from the files litellm ships.
"""

import os
from importlib.util import find_spec
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
_litellm = find_spec("litellm")
if _litellm is not None and _litellm.origin is not None:
    os.environ.setdefault(
        "TIKTOKEN_CACHE_DIR",
        str(Path(_litellm.origin).parent / "litellm_core_utils" / "tokenizers"),
    )

__version__ = "0.1.0"

"""`antq lsp`: the language server for `.antq` files (needs pygls, the `lsp` extra).

Nothing in the core imports this package; `antq lsp` does, on demand. Its
modules, each with one job:

* `server` — the pygls wiring (documents in, diagnostics and answers out);
* `documents` — per-document analysis: parse, check, the symbols reached;
* `diagnostics` — problems as LSP diagnostics;
* `resolve` — what a name at a position means, with its scope;
* `context` — what is being typed at the cursor, from the text before it;
* `completion`, `hover`, `definition`, `outline` (document symbols),
  `actions` (quick fixes) — one request each;
* `positions` — offsets ↔ LSP positions (lines, UTF-16, NFC);
* `texts` — what the server says, in English and Vietnamese.
"""

from __future__ import annotations

from .server import serve

__all__ = ["serve"]

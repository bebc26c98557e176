"""Text to AST: the Lark grammar, the parser and the AST it builds."""

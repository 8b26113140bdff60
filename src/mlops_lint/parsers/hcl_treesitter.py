"""HCL read with tree-sitter-hcl, giving the data python-hcl2 gives.

python-hcl2 (a Lark grammar in pure Python) takes ~10 ms per Terraform file; the
tree-sitter grammar (C) parses the same file in well under a millisecond. This module
walks the tree-sitter syntax tree and builds exactly what ``hcl2.loads`` returns with
``SerializationOptions(strip_string_quotes=True, with_comments=False)`` — same values,
same expression text (``${var.x}``, ``${a + b}``, ``${f(a, b ...)}``), same key order —
so the checks see the same facts whichever reader ran.

What it does not model it refuses with :class:`Unsupported` rather than guess: any
syntax error (python-hcl2 then reports its own error, with its message and line),
template directives (``%{ if }``), strip markers (``${~ x }``), and node types it does
not know. :func:`load` returns ``None`` when tree-sitter is not installed; the caller
then uses python-hcl2 for everything.
"""

from __future__ import annotations

import functools
from typing import Any

from mlops_lint.parsers.hcl_strings import literal_value, to_dollar_string


class Unsupported(Exception):
    """A construct this reader does not model: use python-hcl2 for the file."""


@functools.cache
def _parser() -> Any:
    """A tree-sitter parser for HCL, or None when the bindings are not installed."""
    try:
        import tree_sitter
        import tree_sitter_hcl
    except ImportError:
        return None
    try:
        return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    except Exception:  # pragma: no cover - incompatible binding versions
        return None


def available() -> bool:
    return _parser() is not None


class _Reader:
    """Serializes one syntax tree; ``dollar`` is python-hcl2's ``inside_dollar_string``."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def text(self, node: Any) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8")

    # -- structure --------------------------------------------------------------------

    def body(self, node: Any | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        attribute_names: set[str] = set()
        if node is None:
            return result
        for child in node.named_children:
            kind = child.type
            if kind == "attribute":
                name_node = child.child_by_field_name("name") or child.named_children[0]
                name = self.text(name_node)
                value_node = _named(child)[1]
                attribute_names.add(name)
                result[name] = self.expression(value_node, False)
            elif kind == "block":
                self.block(child, result, attribute_names)
            elif kind != "comment":
                raise Unsupported(kind)
        return result

    def block(self, node: Any, into: dict[str, Any], attribute_names: set[str]) -> None:
        labels: list[str] = []
        body_node = None
        for child in node.named_children:
            kind = child.type
            if kind == "identifier":
                labels.append(self.text(child))
            elif kind == "string_lit":
                labels.append(self.quoted(child, False))
            elif kind == "body":
                body_node = child
            elif kind not in ("block_start", "block_end", "comment"):
                raise Unsupported(kind)
        name = labels[0]
        if name in attribute_names:
            raise RuntimeError(f"Attribute {name} is already defined.")
        result: dict[str, Any] = self.body(body_node)
        result["__is_block__"] = True
        for label in reversed(labels[1:]):
            result = {label: result}
        existing = into.get(name)
        if isinstance(existing, list):
            existing.append(result)
        else:
            into[name] = [result]

    # -- expressions ------------------------------------------------------------------

    def expression(self, node: Any, dollar: bool) -> Any:
        """An ``expression`` node."""
        return self.sequence([c for c in node.children if c.type != "comment"], dollar)

    def sequence(self, children: list[Any], dollar: bool) -> Any:
        """A term, possibly parenthesized, then its postfixes (``.attr``, ``[index]``,
        splats): the children of an ``expression`` or one operand of an operator."""
        if not children:
            raise Unsupported("empty expression")
        if children[0].type == "(":
            if len(children) < 3 or children[2].type != ")":
                raise Unsupported("parenthesis")
            base: Any = f"({_str(self.expression(children[1], True))})"
            rest = children[3:]
            if not rest:
                return base if dollar else to_dollar_string(base)
        else:
            rest = children[1:]
            if not rest:
                return self.term(children[0], dollar)
            base = self.term(children[0], True)
        text = _str(base) + "".join(self.postfix(child) for child in rest)
        return text if dollar else to_dollar_string(text)

    def postfix(self, node: Any) -> str:
        kind = node.type
        if kind == "get_attr":
            return "." + self.text(_named(node)[0])
        if kind == "index":
            return self.index(_named(node)[0])
        if kind == "splat":
            splat = _named(node)[0]
            head = {"attr_splat": ".*", "full_splat": "[*]"}.get(splat.type)
            if head is None:
                raise Unsupported(splat.type)
            return head + "".join(self.postfix(c) for c in _named(splat))
        if kind in ("new_index", "legacy_index"):
            return self.index(node)
        raise Unsupported(kind)

    def index(self, node: Any) -> str:
        if node.type == "new_index":
            return f"[{_str(self.expression(_named(node)[0], True))}]"
        if node.type == "legacy_index":
            digits = self.text(node).lstrip(".").strip()
            if not digits.isdigit():
                raise Unsupported("legacy index")
            return f".{int(digits)}"
        raise Unsupported(node.type)

    def term(self, node: Any, dollar: bool) -> Any:
        kind = node.type
        if kind == "expression":
            return self.expression(node, dollar)
        if kind == "literal_value":
            return self.literal(_named(node)[0], dollar)
        if kind == "variable_expr":
            return self.text(_named(node)[0])
        if kind == "template_expr":
            template = _named(node)[0]
            if template.type == "quoted_template":
                return self.quoted(template, dollar)
            if template.type == "heredoc_template":
                return self.heredoc(template)
            raise Unsupported(template.type)
        if kind == "collection_value":
            collection = _named(node)[0]
            if collection.type == "tuple":
                return self.tuple(collection, dollar)
            if collection.type == "object":
                return self.object(collection, dollar)
            raise Unsupported(collection.type)
        if kind == "function_call":
            return self.call(node, dollar)
        if kind == "operation":
            return self.operation(_named(node)[0], dollar)
        if kind == "conditional":
            condition, if_true, if_false = (_str(self.term(c, True)) for c in _named(node))
            text = f"{condition} ? {if_true} : {if_false}"
            return text if dollar else to_dollar_string(text)
        if kind == "for_expr":
            return self.for_expr(_named(node)[0], dollar)
        raise Unsupported(kind)

    def literal(self, node: Any, dollar: bool) -> Any:
        kind = node.type
        if kind == "numeric_lit":
            raw = self.text(node)
            if "e" in raw.lower():  # python-hcl2 keeps scientific notation as text
                return raw if dollar else to_dollar_string(raw)
            return float(raw) if "." in raw else int(raw)
        if kind == "bool_lit":
            word = self.text(node).strip()
            return word if dollar else word == "true"
        if kind == "null_lit":
            return "null" if dollar else None
        if kind == "string_lit":
            return self.quoted(node, dollar)
        raise Unsupported(kind)

    def quoted(self, node: Any, dollar: bool) -> str:
        """A quoted string: its value (escapes resolved, interpolations as ``${…}``) or,
        inside an expression, its source form with the quotes."""
        children = node.children
        if (len(children) < 2 or children[0].type != "quoted_template_start"
                or children[-1].type != "quoted_template_end"):
            raise Unsupported("string")
        parts: list[str] = []
        position = children[0].end_byte
        for child in children[1:-1]:
            kind = child.type
            if kind == "template_literal" or kind == "comment":
                continue
            if kind != "template_interpolation":
                raise Unsupported(kind)
            literal = self.source[position:child.start_byte].decode("utf-8")
            parts.append(literal if dollar else literal_value(literal))
            parts.append(self.interpolation(child))
            position = child.end_byte
        literal = self.source[position:children[-1].start_byte].decode("utf-8")
        parts.append(literal if dollar else literal_value(literal))
        inner = "".join(parts)
        return f'"{inner}"' if dollar else inner

    def interpolation(self, node: Any) -> str:
        children = node.children
        if (len(children) != 3 or children[0].type != "template_interpolation_start"
                or children[2].type != "template_interpolation_end"
                or self.text(children[0]) != "${" or self.text(children[2]) != "}"):
            raise Unsupported("interpolation")  # strip markers, comments
        return to_dollar_string(_str(self.expression(children[1], True)))

    def heredoc(self, node: Any) -> str:
        """python-hcl2 keeps a heredoc as its source, ``<<EOT`` to the closing marker."""
        children = node.children
        if not children or children[0].type != "heredoc_start" \
                or children[-1].type != "heredoc_identifier":
            raise Unsupported("heredoc")
        for child in children[1:-1]:
            if child.type not in ("heredoc_identifier", "template_literal",
                                  "template_interpolation"):
                raise Unsupported(child.type)
        return self.source[children[0].start_byte:children[-1].end_byte].decode("utf-8")

    def tuple(self, node: Any, dollar: bool) -> Any:
        elements = [c for c in node.named_children if c.type == "expression"]
        if not dollar:
            return [self.expression(e, False) for e in elements]
        return "[" + ", ".join(_str(self.expression(e, True)) for e in elements) + "]"

    def object(self, node: Any, dollar: bool) -> Any:
        elements = [c for c in node.named_children if c.type == "object_elem"]
        pairs = []
        for element in elements:
            key_node, value_node = _named(element)[:2]
            key = self.expression(key_node, dollar)
            if isinstance(key, (int, float)):
                key = str(key)
            pairs.append((key, self.expression(value_node, dollar)))
        if not dollar:
            return dict(pairs)
        return "{" + ", ".join(f"{_str(k)} = {_str(v)}" for k, v in pairs) + "}"

    def call(self, node: Any, dollar: bool) -> str:
        named = _named(node)
        name = self.text(named[0])
        args = ""
        if len(named) > 1:
            arguments = named[1]
            if arguments.type != "function_arguments":
                raise Unsupported(arguments.type)
            values = [c for c in arguments.named_children if c.type == "expression"]
            args = ", ".join(_str(self.expression(v, True)) for v in values)
            if any(c.type == "ellipsis" for c in arguments.children):
                args += " ..."
        text = f"{name}({args})"
        return text if dollar else to_dollar_string(text)

    def operation(self, node: Any, dollar: bool) -> Any:
        children = [c for c in node.children if c.type != "comment"]
        if node.type == "unary_operation":
            operator = self.text(children[0]).strip()
            operand = self.sequence(children[1:], True)
            if not dollar:
                if operator == "-" and isinstance(operand, (int, float)) \
                        and not isinstance(operand, bool):
                    return -operand
                return to_dollar_string(f"{operator}{_str(operand)}")
            return f"{operator}{_str(operand)}"
        if node.type == "binary_operation":
            depth, split = 0, None
            for position, child in enumerate(children):
                if child.type in ("(", "[", "{"):
                    depth += 1
                elif child.type in (")", "]", "}"):
                    depth -= 1
                elif depth == 0 and child.type in _BINARY_OPERATORS:
                    split = position
                    break
            if split is None:
                raise Unsupported("binary operation")
            left = _str(self.sequence(children[:split], True))
            right = _str(self.sequence(children[split + 1:], True))
            text = f"{left} {children[split].type} {right}"
            return text if dollar else to_dollar_string(text)
        raise Unsupported(node.type)

    def for_expr(self, node: Any, dollar: bool) -> str:
        named = _named(node)
        intro, rest = named[0], named[1:]
        if intro.type != "for_intro":
            raise Unsupported("for")
        intro_named = _named(intro)
        names = [self.text(c) for c in intro_named if c.type == "identifier"]
        collection = intro_named[-1]
        head = f"for {', '.join(names)} in {_str(self.expression(collection, True))} : "
        condition = ""
        if rest and rest[-1].type == "for_cond":
            condition = " if " + _str(self.expression(_named(rest[-1])[0], True))
            rest = rest[:-1]
        if node.type == "for_tuple_expr":
            text = "[" + head + _str(self.expression(rest[0], True)) + condition + "]"
        elif node.type == "for_object_expr":
            key, value = (_str(self.expression(e, True)) for e in rest[:2])
            ellipsis = "..." if any(c.type == "ellipsis" for c in node.children) else ""
            text = "{" + head + f"{key} => {value}{ellipsis}{condition}" + "}"
        else:
            raise Unsupported(node.type)
        return text if dollar else to_dollar_string(text)


_BINARY_OPERATORS = frozenset(("==", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*",
                               "/", "%"))
# Named nodes that only delimit (brackets of tuples, objects, blocks) or annotate.
_PUNCTUATION = frozenset(("comment", "tuple_start", "tuple_end", "object_start",
                          "object_end", "block_start", "block_end"))


def _named(node: Any) -> list[Any]:
    return [c for c in node.named_children if c.type not in _PUNCTUATION]


def _str(value: Any) -> str:
    """How python-hcl2 formats a value inside an expression (an f-string)."""
    return value if isinstance(value, str) else str(value)


def load(text: str) -> dict[str, Any] | None:
    """``hcl2.loads(text)`` (quotes stripped, no comments) read with tree-sitter; None
    when tree-sitter is not installed. Raises :class:`Unsupported` for syntax errors
    and constructs not modelled (the caller asks python-hcl2), and RuntimeError where
    python-hcl2 raises it (an attribute and a block of the same name)."""
    parser = _parser()
    if parser is None:
        return None
    try:
        source = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates from undecodable bytes
        raise Unsupported("encoding") from exc
    tree = parser.parse(source)
    root = tree.root_node
    if root.has_error:
        raise Unsupported("syntax error")
    body = next((c for c in root.named_children if c.type == "body"), None)
    for child in root.named_children:
        if child.type not in ("body", "comment"):
            raise Unsupported(child.type)
    return _Reader(source).body(body)

"""`{% kept "name" [vary ...] %}…{% endkept %}`: a piece of the site's frame (header, navigation,
footer, the stylesheet and script links) rendered once per process and kept.

The frame is the same on every page for a given language: a dozen URL reversals and translations
that cost more than the catalog page they surround (whose body is kept per catalog version). A
kept piece depends on nothing but the active language, the URL configuration (script prefix and
URLconf), the settings and the `vary` values given to the tag, which are part of its key. So it
must not show anything of the request or the visitor (the current path, the messages, the user,
a CSRF token): those stay outside it, rendered on every request. A `{% block %}` or `{% csrf_token %}`
inside is refused when the template is loaded, since it would be kept as the first page had it; so is
a variable of the request or visitor (`{{ request… }}`, `{{ user… }}`, `{{ messages }}`, …).

(`{% url %}` inside resolves namespaces without the request's current app: each app namespace here has
one instance.) What is kept is dropped when a setting changes (tests) and never grows past `LIMIT` pieces."""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.template.base import Variable, VariableNode
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

PER_REQUEST = ("request", "user", "perms", "messages", "csrf_token")  # refused as variables in a kept piece
LIMIT = 512  # pieces: a handful of names x languages x nav sections; a bound, never reached in use
_kept: dict[tuple, str] = {}


def forget(**_kwargs) -> None:
    """Drop every kept piece (a setting changed: URLs, static files and translations may differ)."""
    _kept.clear()


setting_changed.connect(forget, dispatch_uid="onewindow-frame-forget")


class KeptNode(template.Node):
    def __init__(self, name: str, vary: list[template.base.FilterExpression], nodelist: template.NodeList):
        self.name, self.vary, self.nodelist = name, vary, nodelist

    child_nodelists = ()  # nothing inside to find (no blocks): the page's `extends` need not look

    def render(self, context) -> str:
        # Language, script prefix and URLconf once per page (each a thread-local read).
        where = context.render_context.get(KeptNode)
        if where is None:
            where = context.render_context[KeptNode] = (get_language(), get_script_prefix(), get_urlconf())
        key = (self.name, *where, *(value.resolve(context) for value in self.vary))
        piece = _kept.get(key)
        if piece is None:
            piece = mark_safe(self.nodelist.render(context))  # noqa: S308 — rendered by the template engine (escaped)
            if len(_kept) >= LIMIT:
                _kept.clear()
            _kept[key] = piece
        return piece


@register.tag("kept")
def do_kept(parser, token):
    """{% kept "name" var ... %} … {% endkept %}: see the module's docstring."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("'kept' takes a quoted name, then the values its content varies by")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    for refused in (BlockNode, CsrfTokenNode):
        if nodelist.get_nodes_by_type(refused):
            raise template.TemplateSyntaxError(f"'kept' cannot hold a {refused.__name__}: it would be kept as rendered first")
    for node in nodelist.get_nodes_by_type(VariableNode):
        var = node.filter_expression.var
        if isinstance(var, Variable) and isinstance(var.var, str) and var.var.split(".")[0] in PER_REQUEST:
            raise template.TemplateSyntaxError(f"'kept' cannot show {var.var}: it is the request's, not the frame's")
    return KeptNode(bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)

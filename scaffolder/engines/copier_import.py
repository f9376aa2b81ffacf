"""Importing copier's library without its interactive prompt stack.

``copier._main`` and ``copier._user_data`` import questionary, prompt_toolkit and pygments at
module level, for the prompts of ``copier copy`` in a terminal. The copier engine never lets
copier prompt (scaffolder asks the questions, copier runs with ``defaults=True``), yet those
imports are about a third of the time a one-off ``scaffolder new`` spends importing copier
(issue 15: copier-engine ``new`` <= 0.8x ``copier copy``).

So, when the prompt stack is not loaded yet, copier is imported with small stand-ins for the
six names it takes from it; the stand-ins live only in copier's module globals (the real
packages stay importable for the wizard and for anyone else). ``Choice`` is the one stand-in
copier uses without prompting (it builds the choices it checks answers against), so it keeps
questionary's constructor semantics; the others are used only while prompting and fail loudly
if ever called (a bug: the engine runs copier with ``defaults=True``). If copier takes any
other name from those packages (a newer copier), the import falls back to the ordinary one.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from typing import Any

# What copier 9.x takes from its prompt stack, by module.
_TAKEN: dict[str, tuple[str, ...]] = {
    "questionary": ("confirm", "unsafe_prompt"),
    "questionary.prompts": (),
    "questionary.prompts.common": ("Choice",),
    "prompt_toolkit": (),
    "prompt_toolkit.lexers": ("PygmentsLexer",),
    "pygments": (),
    "pygments.lexers": (),
    "pygments.lexers.data": ("JsonLexer", "YamlLexer"),
}
_LOCK = threading.Lock()


class Choice:
    """questionary's ``Choice`` as copier uses it to check answers: a title and a value."""

    def __init__(
        self,
        title: Any,
        value: Any = None,
        disabled: str | None = None,
        checked: bool | None = False,
        shortcut_key: str | bool = True,
        description: str | None = None,
    ) -> None:
        self.title = title
        self.disabled = disabled
        self.checked = bool(checked)
        self.shortcut_key = shortcut_key
        self.description = description
        # questionary: no value means the title (joined, for formatted-text titles)
        if value is not None:
            self.value = value
        elif isinstance(title, list):
            self.value = "".join(token[1] for token in title)
        else:
            self.value = title


def _prompt_only(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for a name copier uses only while prompting in a terminal."""

    def call(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"copier called {module}.{name} inside scaffolder's copier engine, which runs"
            " copier without prompts (defaults=True)"
        )

    call.__name__ = call.__qualname__ = name
    return call


def _stand_in(module: str, name: str) -> Any:
    return Choice if name == "Choice" else _prompt_only(module, name)


def load_copier() -> None:
    """Import the copier modules the engine uses (once per process)."""
    if "copier._main" in sys.modules:
        return
    with _LOCK:
        if "copier._main" in sys.modules:
            return
        stubs = _install_stubs()
        try:
            import copier._main
        except (ImportError, AttributeError):
            if not stubs:
                raise
            _remove(stubs)
            stubs = {}
            for name in [m for m in sys.modules if m == "copier" or m.startswith("copier.")]:
                del sys.modules[name]  # half-imported against the stand-ins: start again
            import copier._main  # noqa: F401
        finally:
            _remove(stubs)


def _install_stubs() -> dict[str, types.ModuleType]:
    """Stand-in modules for the prompt packages that are not imported yet."""
    stubs: dict[str, types.ModuleType] = {}
    loaded = {name.split(".", 1)[0] for name in _TAKEN if name.split(".", 1)[0] in sys.modules}
    for name, attrs in _TAKEN.items():
        if name.split(".", 1)[0] in loaded:
            continue  # that package is loaded already: copier gets the real names
        module = types.ModuleType(name, "stand-in while copier is imported (scaffolder)")
        module.__path__ = []
        for attr in attrs:
            setattr(module, attr, _stand_in(name, attr))
        stubs[name] = sys.modules[name] = module
    return stubs


def _remove(stubs: dict[str, types.ModuleType]) -> None:
    for name, module in stubs.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]

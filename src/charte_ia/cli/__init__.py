"""The ``charte-ia`` command: options → one call to :mod:`charte_ia.api` → report → exit code.

Only this package imports :mod:`click`. It holds no business logic and one error boundary
(:func:`main`): invalid input prints located French diagnostics and exits 3; anything
unexpected prints a short French message and exits 4, never a Python traceback (set
``CHARTE_IA_DEBUG=1`` to see it).

* :mod:`~charte_ia.cli.commandes`: the commands, their options and what they print;
* :mod:`~charte_ia.cli.interactif`: the prompts of ``completer --interactif``;
* :mod:`~charte_ia.cli.demarrage`: ``init``, a model charter and a declaration to start from;
* :mod:`~charte_ia.cli.francais`: click's own messages in French (a gettext catalogue) and
  the option types;
* :mod:`~charte_ia.cli.terminal`: printing, and the exit codes.

Exit codes (DESIGN §6):

====  ==============================================================
0     conforme or conforme_avec_reserves (``--strict``: réserves fail)
1     non_conforme
2     incomplet
3     invalid input: charter, declaration, option; a file that cannot be written
4     internal error
130   interrupted by Ctrl-C (SIGINT)
143   stopped by SIGTERM
====  ==============================================================

With several declarations, the exit code is the worst one, in the order
4 > 3 > 1 > 2 > 0.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

import click

from charte_ia.cli import francais
from charte_ia.cli.commandes import cli
from charte_ia.cli.demarrage import init
from charte_ia.cli.service import servir
from charte_ia.cli.terminal import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_TERMINATED,
    echo,
    exit_code,
    print_diagnostics,
    worst,
)
from charte_ia.diagnostics import Diagnostic, Gravite, InvalidInputError, Location

__all__ = ["cli", "exit_code", "main", "worst"]

cli.add_command(init)
cli.add_command(servir)


class _Stopped(BaseException):
    """A signal asked to stop: unwind, so that no temporary file is left behind.

    Not a :class:`KeyboardInterrupt`, which click would turn into an abort after printing a
    blank line, and which the questionnaire reads as « stop asking ».
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> NoReturn:  # noqa: ARG001 - signal handler signature
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the ``charte-ia`` command: the single error boundary."""
    with contextlib.suppress(ValueError):  # only the main thread may set them (embedded use)
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
    code = _run(argv)
    # Flush now, so that a closed pipe (``… | head``) or a closed stream cannot change the
    # exit code when the interpreter flushes them again on its way out.
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with this stream closed
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    sys.exit(code)


def _fail_usage(error: click.UsageError) -> int:
    command = error.ctx.command_path if error.ctx else "charte-ia"
    echo(f"{command} : {francais.usage_message(error)}", err=True)
    echo(f"Voir « {command} --aide ».", err=True)
    return EXIT_INVALID


def _run(argv: Sequence[str] | None) -> int:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="charte-ia",
                 standalone_mode=False)
    except click.UsageError as error:
        return _fail_usage(error)
    except InvalidInputError as error:
        print_diagnostics(error.diagnostics)
        return EXIT_INVALID
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        echo("Interrompu.", err=True)
        return EXIT_INTERNAL
    except (KeyboardInterrupt, _Stopped) as stop:
        if isinstance(stop, _Stopped) and stop.signum == signal.SIGTERM:
            echo("Arrêté (SIGTERM) : aucun fichier n'est resté à moitié écrit.", err=True)
            return EXIT_TERMINATED
        echo("Interrompu (Ctrl-C) : aucun fichier n'est resté à moitié écrit.", err=True)
        return EXIT_INTERRUPTED
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_OK
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the boundary: never a traceback for the user
        if os.environ.get("CHARTE_IA_DEBUG"):
            traceback.print_exc()
        echo(str(Diagnostic("erreur-interne",
                            f"erreur interne ({type(error).__name__}) : merci de la signaler",
                            Location("charte-ia"), "relancez avec CHARTE_IA_DEBUG=1 pour le détail",
                            Gravite.ERREUR)), err=True)
        return EXIT_INTERNAL
    return EXIT_OK

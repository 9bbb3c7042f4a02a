#!/bin/sh
# Refresh the English catalog after adding or changing user-facing strings.
#
#   scripts/update_translations.sh          # from the repository root
#
# 1. makemessages: collects every {% trans %}/{% blocktrans %}/gettext msgid (the Chinese source text)
#    under src/onewindow into src/onewindow/locale/en/LC_MESSAGES/django.po, skipping migrations and
#    dropping msgids that no longer exist.
# 2. Translate the new entries (empty msgstr) and clear any "#, fuzzy" flag after checking the guess:
#    Django ignores fuzzy entries.
# 3. compilemessages: writes django.mo next to it. Both files are committed (CI has no gettext tools).
#
# Needs GNU gettext (msgmerge, msgfmt, xgettext): apt-get install gettext.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV_BIN=${VENV_BIN:-$ROOT/.venv/bin}
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
# Settings create the data directory on import; keep that out of the work tree.
export ONEWINDOW_DATA_DIR=${ONEWINDOW_DATA_DIR:-${TMPDIR:-/tmp}/onewindow-i18n-var}
cd "$ROOT/src/onewindow"
"$VENV_BIN/django-admin" makemessages -l en --settings onewindow.settings \
    --ignore "migrations/*" --ignore "*/migrations/*" --no-obsolete
# zh_Hans holds only the third-party strings Django and django-axes leave in English (kept by hand, see
# its header); it is compiled here too.
"$VENV_BIN/django-admin" compilemessages -l en -l zh_Hans --settings onewindow.settings
msgfmt --check --statistics -o /dev/null locale/en/LC_MESSAGES/django.po

"""Les réglages lus depuis l'environnement : les requêtes préparées de PostgreSQL."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection


def options_de_la_base(**environnement):
    """Les OPTIONS de la base telles que les réglages les calculent pour cet environnement."""
    code = (
        "import json, clspd.settings as s; "
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "SECRET_KEY": "essai", **environnement},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(sortie.stdout)


def test_postgresql_prepare_ses_requetes():
    options = options_de_la_base(DATABASE_URL="postgres://clspd@127.0.0.1/clspd")
    assert options == {"server_side_binding": True, "prepare_threshold": 2}


def test_requetes_preparees_desactivables():
    options = options_de_la_base(
        DATABASE_URL="postgres://clspd@127.0.0.1/clspd", PG_REQUETES_PREPAREES="0"
    )
    assert options == {}


def test_sqlite_sans_option():
    assert options_de_la_base(DATABASE_URL="sqlite:///essai.sqlite3") == {}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL seulement")
def test_la_connexion_lie_ses_parametres_cote_serveur():
    with connection.cursor() as curseur:
        assert type(curseur.cursor).__name__ == "ServerBindingCursor"
        curseur.execute("SELECT %s::int + 1", [41])
        assert curseur.fetchone() == (42,)

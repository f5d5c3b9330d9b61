"""Les réglages lus depuis l'environnement : les requêtes préparées de PostgreSQL, et ce
qu'elles demandent quand une migration change une colonne."""

import json
import os
import subprocess
import sys

import psycopg
import pytest
from django.db import NotSupportedError, connection


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL seulement")
def test_une_migration_qui_change_une_colonne_ne_bloque_pas_la_connexion():
    """Une requête préparée sur une colonne dont une migration change le type échoue une
    fois ; la connexion est fermée et la requête suivante repart d'une connexion neuve."""
    lire = "SELECT nom FROM essai_plan WHERE nom = %s"
    with connection.cursor() as curseur:
        curseur.execute("CREATE TABLE essai_plan (nom varchar(5))")
        curseur.execute("INSERT INTO essai_plan VALUES ('a')")
    try:
        for _ in range(3):  # préparée dès la deuxième fois (prepare_threshold)
            with connection.cursor() as curseur:
                curseur.execute(lire, ["a"])
        # La migration, par une autre connexion (un autre processus, en vrai).
        reglages = connection.settings_dict
        with psycopg.connect(
            dbname=reglages["NAME"],
            user=reglages["USER"],
            host=reglages["HOST"] or None,
            port=reglages["PORT"] or None,
            password=reglages["PASSWORD"] or None,
            autocommit=True,
        ) as autre:
            autre.execute("ALTER TABLE essai_plan ALTER COLUMN nom TYPE varchar(10)")
        with pytest.raises(NotSupportedError), connection.cursor() as curseur:
            curseur.execute(lire, ["a"])
        assert connection.connection is None
        with connection.cursor() as curseur:
            curseur.execute(lire, ["a"])
            assert curseur.fetchall() == [("a",)]
    finally:
        with connection.cursor() as curseur:
            curseur.execute("DROP TABLE essai_plan")


@pytest.mark.django_db
def test_une_autre_erreur_garde_la_connexion():
    from clspd.base_de_donnees import fermer_si_plan_perime

    class Connexion:
        fermee = False

        def close(self):
            self.fermee = True

    def echoue(*args):
        raise NotSupportedError("autre chose")

    connexion = Connexion()
    with pytest.raises(NotSupportedError):
        fermer_si_plan_perime(echoue, "SELECT 1", None, False, {"connection": connexion})
    assert not connexion.fermee

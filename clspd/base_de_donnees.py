"""Les requêtes préparées de PostgreSQL (``PG_REQUETES_PREPAREES``) face aux migrations.

Une connexion garde ses requêtes préparées. Si une migration change le type d'une colonne
qu'elles lisent (une longueur maximale, par exemple), PostgreSQL refuse de les exécuter
(« cached plan must not change result type ») tant que la connexion vit. Elle est alors
fermée : la requête en cours échoue, la suivante ouvre une connexion neuve.
"""

from django.db import NotSupportedError
from django.db.backends.signals import connection_created
from django.dispatch import receiver

PLAN_PERIME = "cached plan must not change result type"


def fermer_si_plan_perime(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except NotSupportedError as erreur:
        if PLAN_PERIME in str(erreur):
            context["connection"].close()
        raise


@receiver(connection_created)
def surveiller_les_plans(sender, connection, **kwargs):
    if (
        connection.vendor == "postgresql"
        and fermer_si_plan_perime not in connection.execute_wrappers
    ):
        connection.execute_wrappers.append(fermer_si_plan_perime)

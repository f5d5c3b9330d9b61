"""« Mon compte » : ce que la personne gère elle-même (mot de passe, double authentification,
calendrier, sessions) et l'export de ses données personnelles."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clspd import double_authentification as deux_facteurs
from clspd import services as comptes
from groupes import selectors


def mon_compte(request):
    return render(
        request,
        "registration/mon_compte.html",
        {
            "double_authentification": deux_facteurs.a_un_appareil(request.user),
            "double_authentification_exigee": deux_facteurs.exigee(request.user),
        },
    )


@require_POST
def deconnexion_partout(request):
    comptes.sessions_fermer_partout(request.user)
    logout(request)
    messages.success(
        request, "Toutes vos sessions sont fermées, sur tous vos appareils : reconnectez-vous."
    )
    return redirect("connexion")


def mes_donnees(request):
    donnees = selectors.donnees_personnelles(request.user)
    reponse = HttpResponse(
        json.dumps(donnees, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    nom = f"mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    reponse["Cache-Control"] = "private, no-store"
    return reponse

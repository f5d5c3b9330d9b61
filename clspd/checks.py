"""Vérifications de l'installation (``manage.py check --deploy``)."""

from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def reduction_des_polices(app_configs, **kwargs):
    """Sans HarfBuzz-Subset, WeasyPrint réduit les polices des PDF par fontTools : dix fois
    plus lent (un compte rendu d'une page, 0,3 s au lieu de 0,03 s)."""
    from weasyprint.text import ffi

    if ffi.harfbuzz_subset is not None:
        return []
    return [
        checks.Warning(
            "HarfBuzz-Subset est absent : les PDF sont rendus dix fois plus lentement.",
            hint="Installez le paquet libharfbuzz-subset0 (Debian, Ubuntu).",
            id="clspd.W001",
        )
    ]

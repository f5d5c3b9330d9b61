"""Règles des mots de passe : celles de la CNIL (délibération 2022-100) pour un mot de passe
complété d'une restriction d'accès, ici le blocage après plusieurs échecs (django-axes)."""

from django.core.exceptions import ValidationError

CATEGORIES = (
    ("minuscules", str.islower),
    ("majuscules", str.isupper),
    ("chiffres", str.isdigit),
    ("caractères spéciaux", lambda caractere: not caractere.isalnum()),
)


class ComplexiteValidator:
    """Au moins trois des quatre types de caractères (la longueur minimale, douze caractères,
    est celle de ``MinimumLengthValidator``)."""

    def __init__(self, types_requis=3):
        self.types_requis = types_requis

    def validate(self, password, user=None):
        presents = sum(any(test(c) for c in password) for _, test in CATEGORIES)
        if presents < self.types_requis:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        noms = ", ".join(nom for nom, _ in CATEGORIES[:-1]) + f" et {CATEGORIES[-1][0]}"
        return (
            f"Le mot de passe doit mêler au moins {self.types_requis} types de caractères "
            f"parmi : {noms}."
        )

def test_personas(client, membre, pilote, etranger, formation_restreinte, autre_conseil, groupe):
    client.force_login(membre)
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 200
    client.force_login(etranger)
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 404
    client.force_login(pilote)
    assert client.get("/").status_code == 200

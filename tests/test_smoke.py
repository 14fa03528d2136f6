def test_it_asks_for_a_login_before_any_page(client):
    response = client.get("/invoices/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

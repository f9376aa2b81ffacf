from fastapi.testclient import TestClient


def test_hello_greets_the_world_by_default(client: TestClient) -> None:
    response = client.get("/v1/hello")

    assert response.status_code == 200
    assert response.json() == {"message": "Hello, world!"}


def test_hello_greets_by_name(client: TestClient) -> None:
    response = client.get("/v1/hello", params={"name": "Ada"})

    assert response.status_code == 200
    assert response.json() == {"message": "Hello, Ada!"}


def test_hello_rejects_a_name_that_is_too_long(client: TestClient) -> None:
    response = client.get("/v1/hello", params={"name": "x" * 65})

    assert response.status_code == 422

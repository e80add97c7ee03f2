"""OpenAPI 3.0 and 3.1 documents (JSON and YAML), written here: operations, servers,
parameters, example bodies, security, $refs, streams."""

from __future__ import annotations

import json

import pytest
import yaml

from streamdash.core.collections import load_collection
from streamdash.core.collections.environments import load_environments
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.model import ImportRefused
from streamdash.core.importers.save import save_import

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://{region}.pets.example.com/v1", "description": "Production",
                 "variables": {"region": {"default": "eu"}}},
                {"url": "http://localhost:8080/v1", "description": "Local"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                            "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        "schemas": {"Pet": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "example": "Rex"}, "age": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "owner": {"$ref": "#/components/schemas/Owner"}}},
            "Owner": {"type": "object", "properties": {"email": {"type": "string", "format": "email"},
                                                        "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}},
        "parameters": {"PetId": {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer", "example": 7}}},
    },
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "tags": ["pets"], "summary": "List pets",
                    "parameters": [{"name": "limit", "in": "query", "required": True, "schema": {"type": "integer", "default": 20}},
                                   {"name": "sort", "in": "query", "schema": {"type": "string"}}]},
            "post": {"operationId": "createPet", "tags": ["pets"],
                     "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
        },
        "/pets/{petId}": {
            "parameters": [{"$ref": "#/components/parameters/PetId"}],
            "get": {"summary": "One pet", "tags": ["pets"], "security": [{"key": []}]},
            "delete": {"operationId": "deletePet", "deprecated": True, "security": [{}]},
        },
        "/events": {"get": {"operationId": "petEvents",
                            "responses": {"200": {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}}},
    },
}


def test_operations_servers_parameters_bodies_and_security(tmp_path):
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(DOC))
    imported = read_import(path)
    assert imported.format == "OpenAPI 3.1.0 document" and imported.name == "Pets"
    assert imported.variables["base_url"] == "https://eu.pets.example.com/v1"
    assert imported.variables["petId"] == "7"
    assert imported.environments == {"Production": {"base_url": "https://eu.pets.example.com/v1"},
                                     "Local": {"base_url": "http://localhost:8080/v1"}}
    ops = {r.name: r for r in imported.requests}
    assert set(ops) == {"listPets", "createPet", "One pet", "deletePet", "petEvents"}
    listing = ops["listPets"]
    assert (listing.group, listing.method, listing.url, listing.query) == (("pets",), "GET", "{{base_url}}/pets", [("limit", "20")])
    assert "optional parameters: sort (query)" in listing.description
    assert listing.extra["auth"] == {"type": "bearer", "token": "{{token}}"}
    body = json.loads(ops["createPet"].body)
    assert body["name"] == "Rex" and body["age"] == 0 and body["tags"] == ["string"]
    assert body["owner"]["email"] == "user@example.com"  # through a $ref; the cycle back to Pet stops
    assert ("Content-Type", "application/json") in ops["createPet"].headers
    one = ops["One pet"]
    assert one.url == "{{base_url}}/pets/{{petId}}" and ("X-API-Key", "{{x_api_key}}") in one.headers
    assert ops["deletePet"].extra["auth"] == {"type": "none"} and ops["deletePet"].description.startswith("deprecated")
    assert ops["petEvents"].kind == "sse"

    root = tmp_path / "c"
    saved = save_import(imported, root)
    assert saved.requests == 5 and sorted(load_environments(root)) == ["local", "production"]
    assert load_collection(root).errors == []


def test_the_same_document_as_yaml(tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(DOC))
    assert len(read_import(path).requests) == 5


@pytest.mark.parametrize(("doc", "reason"), [
    ({"swagger": "2.0", "paths": {}}, "OpenAPI 2.0 is not read (3.0 and 3.1 are)"),
    ({"openapi": "3.0.3", "paths": []}, "its 'paths' is not a table"),
])
def test_what_is_refused_says_why(tmp_path, doc, reason):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ImportRefused) as caught:
        read_import(path)
    assert reason in str(caught.value)


def test_no_server_is_a_warning_not_a_failure(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"openapi": "3.0.0", "info": {"title": "t"}, "paths": {"/a": {"get": {}}}}))
    imported = read_import(path)
    assert [r.url for r in imported.requests] == ["{{base_url}}/a"]
    assert "names no server" in imported.warnings[0]


def test_oauth2_password_flow_a_redirect_flow_named_and_an_any_type_json_body(tmp_path):
    # As in the petstore documents real tools ship: `*/*` request bodies with an object schema,
    # an OAuth2 scheme whose flows need a browser, and one with a password flow.
    doc = {
        "openapi": "3.0.2", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://t.test"}],
        "components": {"securitySchemes": {
            "pw": {"type": "oauth2", "flows": {"password": {"tokenUrl": "https://t.test/token",
                                                            "scopes": {"read": "", "write": ""}}}},
            "code": {"type": "oauth2", "flows": {"authorizationCode": {
                "authorizationUrl": "https://t.test/auth", "tokenUrl": "https://t.test/token", "scopes": {}}}}}},
        "paths": {
            "/me": {"get": {"operationId": "me", "security": [{"pw": ["read"]}], "responses": {"200": {}}}},
            "/code": {"get": {"operationId": "code", "security": [{"code": []}], "responses": {"200": {}}}},
            "/users": {"post": {"operationId": "addUsers", "requestBody": {"content": {"*/*": {"schema": {
                "type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}},
                "responses": {"200": {}}}},
        },
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    imported = read_import(path)
    requests = {r.name: r for r in imported.requests}
    assert requests["me"].extra["auth"] == {"type": "oauth2", "token_url": "https://t.test/token",
                                            "client_id": "{{client_id}}", "grant": "password",
                                            "username": "{{username}}", "password": "{{password}}",
                                            "scope": "read write"}
    assert "auth" not in requests["code"].extra
    assert any("'code' is OAuth2 authorizationCode, which needs a browser redirect" in w for w in imported.warnings)
    add = requests["addUsers"]
    assert ("Content-Type", "application/json") in add.headers and json.loads(add.body) == [{"name": "string"}]

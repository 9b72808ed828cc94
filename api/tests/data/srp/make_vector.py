"""Writes pycognito-vector.json: an offline USER_SRP_AUTH exchange whose client side is pycognito's.

The server side (verifier, B, u and the sealed SECRET_BLOCK in api/src/cognito/srp.rs's format) is computed
here with the standard formulas and fixed values; pycognito's AWSSRP, with a fixed `a` and a fixed clock,
computes A, the session key and PASSWORD_CLAIM_SIGNATURE. srp.rs's tests check that the Rust side
reproduces v, B and u, and accepts the signature for the password (and refuses it for another one);
cognito-client's tests check that, given pycognito's secret `a` (small_a), it signs exactly as pycognito.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pycognito==2024.5.1
    /tmp/venv/bin/python make_vector.py > pycognito-vector.json
"""

import base64
import datetime
import hashlib
import json
import sys
import types
from importlib.metadata import version

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP, calculate_u, hash_sha256, hex_hash, hex_to_long, long_to_hex, pad_hex

POOL_ID = "eu-west-1_Qz7LdGrn3"
CLIENT_ID = "5q0v2c1mbn8j7k3h4g6f9d2s1a"
USER_ID_FOR_SRP = "0a8f2e4c-6b1d-4f3e-9c57-21d4b6e8f013"
PASSWORD = "Ünïcode correct horse 1!"
WRONG_PASSWORD = "Ünïcode correct horse 2!"
# Top nibble >= 8, so SALT needs padHex's leading "00".
SALT = bytes.fromhex("9f3c0d7e5a1b2c4d6e8f0a1b2c3d4e5f")
# Day < 10, so TIMESTAMP shows the unpadded day.
NOW = datetime.datetime(2026, 3, 3, 9, 5, 7)
ISSUED_AT = NOW - datetime.timedelta(seconds=20)
# Must match BLOCK_AAD in srp.rs.
BLOCK_AAD = b"ledgerline srp secret block v1"


def fixed_bytes(label, length):
    """Deterministic stand-ins for random values."""
    out = b""
    while len(out) < length:
        out += hashlib.sha256(f"{label} {len(out)}".encode()).digest()
    return out[:length]


def main():
    big_n, g = hex_to_long(aws_srp.N_HEX), hex_to_long(aws_srp.G_HEX)
    client = AWSSRP(USER_ID_FOR_SRP, PASSWORD, POOL_ID, CLIENT_ID, client=object())  # no boto3 client needed
    k = client.val_k
    client.small_a_value = int.from_bytes(fixed_bytes("small a", 128), "big") % big_n  # as generate_random_small_a
    client.large_a_value = client.calculate_a()
    srp_a = client.get_auth_params()["SRP_A"]

    # Server side, standard formulas. The SALT parameter is padHex of the salt as an integer.
    salt_param = pad_hex(long_to_hex(int.from_bytes(SALT, "big")))
    pool_name = POOL_ID.split("_")[1]
    identity = hash_sha256(f"{pool_name}{USER_ID_FOR_SRP}:{PASSWORD}".encode())
    x = hex_to_long(hex_hash(salt_param + identity))
    v = pow(g, x, big_n)
    b_secret = fixed_bytes("server b", 32)
    big_b = (k * v + pow(g, int.from_bytes(b_secret, "big"), big_n)) % big_n
    u = calculate_u(hex_to_long(srp_a), big_b)

    block_key = fixed_bytes("secret block key", 32)
    nonce = fixed_bytes("nonce", 12)
    sealed = {
        "state": {"pool_id": POOL_ID, "client_id": CLIENT_ID, "user_id_for_srp": USER_ID_FOR_SRP},
        "a": srp_a,
        "b": b_secret.hex(),
        "u": long_to_hex(u),
        "issued_at": int(ISSUED_AT.replace(tzinfo=datetime.timezone.utc).timestamp()),
    }
    plaintext = json.dumps(sealed, separators=(",", ":")).encode()
    secret_block = base64.standard_b64encode(nonce + AESGCM(block_key).encrypt(nonce, plaintext, BLOCK_AAD)).decode()

    challenge = {
        "USERNAME": USER_ID_FOR_SRP,
        "USER_ID_FOR_SRP": USER_ID_FOR_SRP,
        "SALT": salt_param,
        "SRP_B": long_to_hex(big_b),
        "SECRET_BLOCK": secret_block,
    }
    # process_challenge reads the clock through the module's `datetime`.
    frozen = types.SimpleNamespace(datetime=types.SimpleNamespace(utcnow=lambda: NOW))
    real_datetime, aws_srp.datetime = aws_srp.datetime, frozen
    try:
        response = client.process_challenge(challenge, {"USERNAME": USER_ID_FOR_SRP})
    finally:
        aws_srp.datetime = real_datetime
    session_key = client.get_password_authentication_key(USER_ID_FOR_SRP, PASSWORD, big_b, salt_param)

    vector = {
        "generator": f"make_vector.py with pycognito {version('pycognito')}",
        "pool_id": POOL_ID,
        "client_id": CLIENT_ID,
        "user_id_for_srp": USER_ID_FOR_SRP,
        "password": PASSWORD,
        "wrong_password": WRONG_PASSWORD,
        "salt": SALT.hex(),
        "salt_param": salt_param,
        "verifier": long_to_hex(v),
        "small_a": long_to_hex(client.small_a_value),
        "srp_a": srp_a,
        "b_secret": b_secret.hex(),
        "srp_b": challenge["SRP_B"],
        "u": long_to_hex(u),
        "session_key": session_key.hex(),
        "secret_block_key": block_key.hex(),
        "secret_block": response["PASSWORD_CLAIM_SECRET_BLOCK"],
        "timestamp": response["TIMESTAMP"],
        "signature": response["PASSWORD_CLAIM_SIGNATURE"],
    }
    json.dump(vector, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

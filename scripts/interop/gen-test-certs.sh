#!/usr/bin/env bash
# Generates throw-away PEM certificates for the TLS tests into OUTDIR:
#   ca.pem / ca.key            a self-signed test CA
#   server.pem / server.key    the broker side (SAN IP:127.0.0.1, DNS:localhost), signed by the CA
#   client.pem / client.key    a client certificate (mutual TLS), signed by the CA
#   client-keystore.pem        client key + certificate in one file (ssl.keystore.location)
#   client-keystore-encrypted.pem   the same with the key as encrypted PKCS#8 (password "keypass")
#   other-ca.pem               an unrelated CA (the "wrong CA" test)
# Usage: scripts/interop/gen-test-certs.sh OUTDIR
set -euo pipefail

out=${1:?usage: gen-test-certs.sh OUTDIR}
if ! command -v openssl >/dev/null 2>&1; then
    echo "gen-test-certs: openssl is not installed; run scripts/setup (installs Debian's openssl)" >&2
    exit 1
fi
mkdir -p "$out"
cd "$out"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # ca NAME SUBJECT
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days 2 -subj "$2" -out "$1.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() { # leaf NAME SUBJECT EXTENSIONS
    key "$1.key"
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
    printf '%b\n' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

ca ca "/CN=SwiftConnect test CA"
ca other-ca "/CN=Some other CA"
leaf server "/CN=localhost" "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"
leaf client "/CN=swift-connect-test-client" "extendedKeyUsage=clientAuth"
cat client.key client.pem >client-keystore.pem
openssl pkcs8 -topk8 -in client.key -v2 aes-256-cbc -passout pass:keypass -out client-encrypted.key
cat client-encrypted.key client.pem >client-keystore-encrypted.pem

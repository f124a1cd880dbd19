#!/bin/sh
# Verify a CQO Academy certificate credential with nothing but OpenSSL (>= 3.0) and coreutils:
#   sh verify-credential.sh CQO-2026-000123-4.jwt jwks.json
# jwks.json is the bureau's published key set (https://<the platform>/.well-known/jwks.json),
# fetched once and kept. Prints the credential and exits 0 when the signature verifies.
# A valid signature does not mean the certificate is still in force: check its status online.
set -eu
token=$(tr -d ' \n\r' < "$1")
keys=$(tr -d ' \n\r' < "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unb64() {  # base64url without padding, as JWS writes it
  s=$1
  while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done
  printf %s "$s" | basenc --base64url -d
}

header=${token%%.*}
signature=${token##*.}
payload=${token#*.}
payload=${payload%.*}
kid=$(unb64 "$header" | sed -n 's/.*"kid":"\([^"]*\)".*/\1/p')
# The JWK whose kid is the header's (each key is one {...} without nested braces).
x=$(printf %s "$keys" | tr '}' '\n' | grep -F "\"kid\":\"$kid\"" | sed -n 's/.*"x":"\([^"]*\)".*/\1/p')
if [ -z "$x" ]; then
  echo "No key $kid in $2: not signed by this bureau" >&2
  exit 1
fi
# An Ed25519 public key in DER is a fixed 12-byte SubjectPublicKeyInfo prefix and the 32 key bytes.
{ printf '\060\052\060\005\006\003\053\145\160\003\041\000'; unb64 "$x"; } > "$work/key.der"
openssl pkey -pubin -inform DER -in "$work/key.der" -out "$work/key.pem"
printf %s "$header.$payload" > "$work/signed"
unb64 "$signature" > "$work/signature"
unb64 "$payload"
echo
openssl pkeyutl -verify -pubin -inkey "$work/key.pem" -rawin -in "$work/signed" -sigfile "$work/signature"

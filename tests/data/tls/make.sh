#!/bin/sh
# Regenerates the throwaway TLS fixtures of the key-fetch CA tests (run in this folder):
# a private CA and a certificate for 127.0.0.1 that it signed, valid for 100 years.
set -eu
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
    -subj "/CN=Jejak test private CA" -keyout ca.key -out ca.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 \
    -extfile server.ext -out server.pem
rm -f server.csr server.ext ca.srl ca.key

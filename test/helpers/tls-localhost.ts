/**
 * A self-signed certificate for localhost (P-256, valid for 100 years) and its key, for tests of TLS
 * connections only (test/unit/aws/connections.test.ts, test/integration/connections-tls.test.ts). Made with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost"`.
 */
export const LOCALHOST_CERT = `-----BEGIN CERTIFICATE-----
MIIBlDCCATugAwIBAgIUbgMQJmLal17Tq5ShxtGtt4JyqYwwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNzIxMTI0MloYDzIxMjYxMTEz
MjExMjQyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASWonwqeg6EdTXHoqM29DB6KKwVj0EkSizmOlWleZsbC1wJ2we3dtxR
gzc8IUSzheFVopuupLKNkn6FxhzQQb+jo2kwZzAdBgNVHQ4EFgQUlA6biJD1hy/h
ghmPSAosDgkYnzcwHwYDVR0jBBgwFoAUlA6biJD1hy/hghmPSAosDgkYnzcwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
RwAwRAIgSDvyNoFek9LV6kO70/MI/cpN5MmjeRmKN+I/Q9ByEroCICKcMEIgKo2O
mknw5QCktR+1BONZqHN9qlxuGhvPbuaa
-----END CERTIFICATE-----`;

export const LOCALHOST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdc6+lueKJO2pfFbv
4p6aoCSZIV4G8bLAepi3b2klxiqhRANCAASWonwqeg6EdTXHoqM29DB6KKwVj0Ek
SizmOlWleZsbC1wJ2we3dtxRgzc8IUSzheFVopuupLKNkn6FxhzQQb+j
-----END PRIVATE KEY-----`;

#!/usr/bin/env bash
# Writes the seed corpus of ingest_batch_fuzzer: serialized v1::Batch messages, encoded
# from the text protos below with protoc. Run from anywhere after changing a seed; the
# output is committed. The fuzzer's agent "web-01" is bound to public-web-portal and
# db-01, and its clock reads 1'700'000'000 s after the epoch.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus/ingest_batch

seed() {  # seed NAME TEXT_PROTO
  protoc --proto_path=proto --encode=postura.v1.Batch postura/v1/ingest.proto \
    <<<"$2" >"$out/$1"
}

item() {  # item ASSET OUTCOME LEVEL KIND CHECK [EXTRA]: one Evidence in text format
  printf 'items { asset_id: "%s" outcome_id: "%s" level: %s kind: %s check_id: "%s"
  observed_at_unix_nanos: 1699999000000000000 expires_at_unix_nanos: 1700086400000000000 %s }\n' \
    "$@"
}

hash32='content_sha256: "0123456789abcdef0123456789abcdef"'
long_detail="detail: \"$(printf 'x%.0s' {1..1100})\""

seed empty 'sequence: 1'
seed one_valid "sequence: 7 $(item public-web-portal PR_AC_CSC_5_2 DLI_100 OBSERVED ssh.no-root-login)"
seed three_valid "sequence: 8 dropped_items_total: 3
$(item public-web-portal PR_AC_CSC_5_2 DLI_33 OBSERVED ssh.no-root-login 'detail: "PermitRootLogin is yes"')
$(item db-01 ID_AM_CSC_1_1 DLI_67 ATTESTED inventory.reviewed "$hash32")
$(item db-01 PR_AC_CSC_5_2 DLI_0 OBSERVED only-root-uid0)"
seed every_rejection "sequence: 9
$(item public-web-portal NO_SUCH_OUTCOME DLI_100 OBSERVED c1)
$(item public-web-portal PR_AC_CSC_5_2 LEVEL_UNSPECIFIED OBSERVED c2)
$(item public-web-portal PR_AC_CSC_5_2 DLI_100 EVIDENCE_KIND_UNSPECIFIED c3)
$(item unbound-asset PR_AC_CSC_5_2 DLI_100 OBSERVED c4)
$(item public-web-portal PR_AC_CSC_5_2 DLI_100 OBSERVED 'has space')
$(item public-web-portal PR_AC_CSC_5_2 DLI_100 OBSERVED c6 "$long_detail")
$(item public-web-portal PR_AC_CSC_5_2 DLI_100 OBSERVED c7 'content_sha256: "short"')
items { asset_id: \"db-01\" outcome_id: \"PR_AC_CSC_5_2\" level: DLI_100 kind: OBSERVED
  check_id: \"c8\" observed_at_unix_nanos: 1700000000000000000 expires_at_unix_nanos: 1 }
items { asset_id: \"db-01\" outcome_id: \"PR_AC_CSC_5_2\" level: DLI_100 kind: OBSERVED
  check_id: \"c9\" observed_at_unix_nanos: 1700001000000000000
  expires_at_unix_nanos: 1700002000000000000 }
$(item db-01 PR_AC_CSC_5_2 DLI_67 OBSERVED c10)"

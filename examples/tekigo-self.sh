#!/usr/bin/env bash
# Rebuilds examples/tekigo-self: tekigo itself, as a software application, against
# IEC 62443-4-2 at SL-T 2. The answers are honest about the command-line tool as it is
# today; the web application (with users, sessions and an audit log) does not exist yet,
# so most of FR 1, FR 2 and FR 6 is not satisfied.
#
# Usage: examples/tekigo-self.sh [TEKIGO_BINARY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tekigo="${1:-tekigo}"
dir="$here/tekigo-self"
rm -rf "$dir"
export TEKIGO_USER="tekigo maintainers"
"$tekigo" init "$dir" --product tekigo --vendor "tekigo project" --component tekigo:software:0.1.0 >/dev/null 2>&1
cd "$dir"
"$tekigo" assess new --standard 62443-4-2 --component tekigo --sl-t 2 --id tekigo-4-2 2>/dev/null
cp "$here/../ARCHITECTURE.md" architecture.md
cp "$here/../docs/PERFORMANCE.md" performance.md
cp "$here/../Cargo.lock" Cargo.lock
repo=https://example.invalid/tekigo

set_() { "$tekigo" assess set tekigo-4-2 "$@" >/dev/null 2>&1 || { "$tekigo" assess set tekigo-4-2 "$@"; exit 2; }; }
na() { set_ "$1" --status not-applicable --reason "$2"; }
no() { set_ "$1" --status not-satisfied --reason "$2" ${3:+--finding "$3" --recommendation "$4"}; }
part() { set_ "$1" --status partial --reason "$2" "${@:3}"; }
yes() { set_ "$1" --status satisfied --reason "$2" "${@:3}"; }

no  "CR 1.1"        "The command-line tool has no users of its own; it runs with the rights of the operating-system account that starts it." "No identification or authentication in tekigo itself" "Authenticate every user of the web application (issue 6)"
no  "CR 1.1 RE(1)"  "No user accounts, hence no unique identification inside tekigo."
na  "CR 1.2"        "tekigo opens no network connection and talks to no other process or device; it reads files and writes files."
no  "CR 1.3"        "No account management: there are no accounts." "No accounts" "Add accounts with roles to the web application"
no  "CR 1.4"        "No identifiers are managed by tekigo."
part "CR 1.5"       "Signing keys are created with mode 0600, never printed or logged, and never overwritten; there is no rotation or expiry." --evidence architecture.md
na  "CR 1.7"        "No password-based authentication exists."
no  "CR 1.8"        "Report signatures use raw ed25519 keys pinned by fingerprint (--public-key); there is no PKI, no certificate validation or revocation."
part "CR 1.9"       "verify checks the ed25519 signature strictly and, with --public-key, that the expected key signed; no revocation." --evidence architecture.md
na  "CR 1.10"       "No authenticator is ever entered."
no  "CR 1.11"       "There is no login to limit."
no  "CR 1.12"       "No system use notification is shown."
na  "CR 1.14"       "No symmetric-key authentication is used."
no  "CR 2.1"        "Authorisation is left to file-system permissions on the project directory." "No authorisation enforcement" "Roles (assessor, reviewer, auditor) in the web application"
no  "CR 2.1 RE(1)"  "No authorisation of its own, so none for all users."
no  "CR 2.1 RE(2)"  "No permission mapping to roles."
na  "CR 2.2"        "No wireless interface."
na  "CR 2.5"        "No interactive sessions to lock."
na  "CR 2.6"        "No remote sessions."
part "CR 2.8"       "Assessment files carry assessor, date and review state per answer and live in git, whose history records every change; tekigo writes no audit log of its own." --url "$repo"
no  "CR 2.9"        "No audit storage of its own."
no  "CR 2.10"       "No audit processing to fail."
part "CR 2.11"      "Every record carries a UTC RFC 3339 timestamp or an ISO date from the system clock." --evidence architecture.md
no  "CR 2.11 RE(1)" "tekigo relies on the host's clock synchronisation and does not check it."
part "CR 2.12"      "Reports can be signed (ed25519) over the report and every evidence hash; individual answers are not signed." --evidence architecture.md
yes "CR 3.1"        "tekigo serve speaks HTTPS itself (--tls-cert and --tls-key: rustls, TLS 1.2 and 1.3 only, HSTS) and reaches PostgreSQL over TLS (sslmode); the command-line tool reads and writes local files only."
part "CR 3.1 RE(1)" "The TLS certificate authenticates the server to browsers and, with sslmode=verify-full, PostgreSQL to the server; tekigo authenticates to PostgreSQL by password, not with a client certificate."
yes "CR 3.3"        "The test suite (scripts/test.sh, run in CI on every change) exercises the security functions: signature verification, evidence integrity, hostile root filesystems, malformed input." --evidence architecture.md
part "CR 3.4"       "Evidence is content-addressed and verified by hash; release binaries are not signed yet." --evidence architecture.md
part "CR 3.4 RE(1)" "verify detects any change to a report or an evidence file; nothing checks tekigo's own binary."
yes "CR 3.5"        "Every input is validated: catalogs, assessments, workbooks and scan reports are refused with file and line; parsers of outside data have cargo-fuzz targets." --evidence architecture.md
yes "CR 3.6"        "Writes are atomic (temporary file, then rename): a failure leaves the previous state, and an import applies whole or not at all." --evidence architecture.md
yes "CR 3.7"        "Errors name the file and line and never include secret keys or licensed text; exit code 2." --evidence architecture.md
na  "CR 3.8"        "No sessions."
no  "CR 3.9"        "No audit information of its own to protect."
part "CR 4.1"       "In transit: HTTPS with --tls-cert and TLS to PostgreSQL with sslmode. At rest: imported licensed text is stored with mode 0600; evidence files and the server's database are stored unencrypted."
no  "CR 4.2"        "There is no command to purge evidence or licensed text; files are deleted by hand." "No purge" "Add a purge command that removes unreferenced evidence"
yes "CR 4.3"        "SHA-256 (sha2) and ed25519 (ed25519-dalek) from maintained Rust implementations; no home-made cryptography." --evidence Cargo.lock
na  "CR 5.1"        "tekigo has no network interface to segment."
no  "CR 6.1"        "No audit log to access."
no  "CR 6.2"        "No continuous monitoring."
part "CR 7.1"       "Reads of scanned images are bounded and special files are never opened; a very large workbook or SBOM is not limited." --evidence performance.md
no  "CR 7.1 RE(1)"  "No limits on the resources one command may use."
part "CR 7.2"       "Bounded reads in the scanner; memory use measured in docs/PERFORMANCE.md; no configurable limits." --evidence performance.md
yes "CR 7.3"        "A project is a directory of plain files meant to live in git; any copy is a complete backup and every report can be rebuilt from it."
part "CR 7.3 RE(1)" "tekigo verify checks a signed report and its evidence; plain backups are not verified."
yes "CR 7.4"        "Rebuild from the project directory; atomic writes leave the last good state after a crash."
no  "CR 7.6"        "No security configuration settings of its own to report."
yes "CR 7.7"        "No network listener, no daemon, no telemetry; the command runs offline and exits."
part "CR 7.8"       "Cargo.lock lists every dependency with its version and checksum; no SBOM of tekigo itself is published yet." --evidence Cargo.lock
na  "SAR 2.4"       "tekigo executes no mobile code; its HTML reports contain no scripts."
na  "SAR 2.4 RE(1)" "No mobile code."
part "SAR 3.2"      "Nothing from a scanned image or imported file is executed; tekigo has no malware scanning of its own."
rm -f architecture.md performance.md Cargo.lock
"$tekigo" assess show tekigo-4-2

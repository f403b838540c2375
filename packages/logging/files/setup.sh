#!/bin/sh
# setup.sh: the logging chart's setup Job, run after every install and upgrade. It waits (a bounded number of
# times) for Elasticsearch to answer, then PUTs what the chart's values say, each call idempotent:
#   - an index lifecycle policy per stream          PUT /_ilm/policy/<name>        (CONFIG_DIR/policies.tsv)
#   - an index template per stream                  PUT /_index_template/<name>    (CONFIG_DIR/index-templates.tsv)
#   - the shipper's role and the chart's roles      PUT /_security/role/<name>     (CONFIG_DIR/roles.tsv)
#   - the shipper's user, then the chart's users    PUT /_security/user/<name>     (SHIPPER_DIR, CONFIG_DIR/users.tsv)
# and, when KIBANA_URL is set, waits for Kibana and imports its saved objects (CONFIG_DIR/kibana-objects.ndjson).
#
# POSIX sh and curl only: the image is curlimages/curl (BusyBox sh, no jq, no bash). A .tsv line is
# `<name><TAB><JSON body>`; a users.tsv line is `<username><TAB><password file><TAB><JSON body without password>`;
# lines starting with # are comments.
#
# Secrets never reach a command line or the output: curl reads its URL, credentials and body from a config on
# standard input (`--config -`), and a response printed on failure has every password replaced by `***`.
#
# Environment: ES_URL, ES_CA_FILE (empty: no CA file, e.g. plain http), ES_USER, ES_PASSWORD_FILE, KIBANA_URL
# (empty: Kibana is off), CONFIG_DIR, SHIPPER_DIR (files `username` and `password`), WAIT_ATTEMPTS, WAIT_SECONDS.
set -eu

: "${ES_URL:?ES_URL is not set}"
ES_CA_FILE=${ES_CA_FILE-}
ES_USER=${ES_USER:-elastic}
ES_PASSWORD_FILE=${ES_PASSWORD_FILE:-/es-elastic/elastic}
KIBANA_URL=${KIBANA_URL-}
CONFIG_DIR=${CONFIG_DIR:-/config}
SHIPPER_DIR=${SHIPPER_DIR:-/shipper}
WAIT_ATTEMPTS=${WAIT_ATTEMPTS:-60}
WAIT_SECONDS=${WAIT_SECONDS:-5}

# The role the shipper's user gets; roles.tsv defines it.
SHIPPER_ROLE=meetscale-shipper

TAB=$(printf '\t')
NL='
'

say() {
  printf 'setup.sh: %s\n' "$*"
}

fail() {
  printf 'setup.sh: %s\n' "$*" >&2
  exit 1
}

case $WAIT_ATTEMPTS in '' | *[!0-9]*) fail "WAIT_ATTEMPTS must be a whole number, not '$WAIT_ATTEMPTS'" ;; esac
case $WAIT_SECONDS in '' | *[!0-9]*) fail "WAIT_SECONDS must be a whole number, not '$WAIT_SECONDS'" ;; esac

# replace_all TEXT FIND REPLACEMENT: TEXT with every occurrence of the literal FIND replaced.
replace_all() {
  _text=$1
  _done=
  while :; do
    case $_text in
      *"$2"*)
        _done=$_done${_text%%"$2"*}$3
        _text=${_text#*"$2"}
        ;;
      *) break ;;
    esac
  done
  printf '%s' "$_done$_text"
}

# escape TEXT: TEXT with `\` and `"` backslash-escaped, as both a JSON string and a quoted curl config value
# need (neither holds a control character here: read_secret refuses them, and JSON bodies have none).
escape() {
  replace_all "$(replace_all "$1" '\' '\\')" '"' '\"'
}

# Every password read so far, one per line, raw and JSON-escaped: redact() hides them.
SECRETS=

# read_secret FILE WHAT: the content of FILE without its trailing newlines, which must be a usable password. It
# runs in a command substitution, so the caller adds the result to SECRETS.
read_secret() {
  [ -r "$1" ] || fail "cannot read $2 from $1"
  _secret=$(cat "$1")
  [ -n "$_secret" ] || fail "$2 in $1 is empty"
  case $_secret in *[[:cntrl:]]*) fail "$2 in $1 holds a control character (a line break or tab inside it)" ;; esac
  printf '%s' "$_secret"
}

# redact TEXT: TEXT with every secret read so far replaced by ***, cut to 2000 characters.
redact() {
  _shown=$1
  _list=$SECRETS
  while [ -n "$_list" ]; do
    _one=${_list%%"$NL"*}
    _list=${_list#*"$NL"}
    [ -n "$_one" ] && _shown=$(replace_all "$_shown" "$_one" '***')
  done
  printf '%.2000s' "$_shown"
}

# request METHOD URL [JSON-BODY] [FORM] [MAX-SECONDS]: one HTTP request as the Elasticsearch user. Sets STATUS
# (the HTTP status, 000 when there was no answer) and RESPONSE (the body, or curl's error). The config on curl's
# standard input holds everything secret.
request() {
  _config="url = \"$(escape "$2")\"
request = \"$1\"
user = \"$(escape "$ES_USER:$ES_PASSWORD")\"
header = \"Accept: application/json\""
  case $2 in
    https:*) [ -z "$ES_CA_FILE" ] || _config="$_config${NL}cacert = \"$(escape "$ES_CA_FILE")\"" ;;
  esac
  if [ -n "${3-}" ]; then
    _config="$_config${NL}header = \"Content-Type: application/json\"${NL}data-binary = \"$(escape "$3")\""
  fi
  if [ -n "${4-}" ]; then
    _config="$_config${NL}header = \"kbn-xsrf: true\"${NL}form = \"$(escape "$4")\""
  fi
  _rc=0
  _out=$(printf '%s\n' "$_config" |
    curl --silent --show-error --config - --connect-timeout 10 --max-time "${5:-60}" --write-out '\n%{http_code}' 2>&1) || _rc=$?
  STATUS=${_out##*"$NL"}
  RESPONSE=${_out%"$NL"*}
  case $STATUS in [0-9][0-9][0-9]) ;; *)
    STATUS=000
    RESPONSE="curl exited with $_rc: $_out"
    ;;
  esac
}

# put NAME-FOR-MESSAGES PATH BODY: PUT a JSON body to Elasticsearch; fails naming the call unless it is 2xx.
put() {
  request PUT "$ES_URL$2" "$3"
  case $STATUS in
    2??) say "$1: ok" ;;
    *) fail "PUT $2 failed: HTTP $STATUS: $(redact "$RESPONSE")" ;;
  esac
}

# wait_for NAME URL CHECK: GETs URL until CHECK (a function of STATUS and RESPONSE) holds, WAIT_ATTEMPTS times at
# most, WAIT_SECONDS apart. A 401 ends the wait at once: the password will not change while it waits.
wait_for() {
  _attempt=1
  while :; do
    request GET "$2" '' '' 10
    if [ "$STATUS" = 401 ]; then
      fail "GET $2 failed: HTTP 401 (the $ES_USER user's password from $ES_PASSWORD_FILE is not accepted): $(redact "$RESPONSE")"
    fi
    if "$3"; then
      return 0
    fi
    if [ "$_attempt" -ge "$WAIT_ATTEMPTS" ]; then
      fail "$1 did not become ready after $WAIT_ATTEMPTS attempts $WAIT_SECONDS s apart; last answer to GET $2: HTTP $STATUS: $(redact "$RESPONSE")"
    fi
    say "waiting for $1 (attempt $_attempt of $WAIT_ATTEMPTS: HTTP $STATUS)"
    _attempt=$((_attempt + 1))
    sleep "$WAIT_SECONDS"
  done
}

# Elasticsearch is ready when its cluster health is yellow or green (a red cluster may not have the security index).
elasticsearch_ready() {
  [ "$STATUS" = 200 ] || return 1
  case $RESPONSE in *'"status":"green"'* | *'"status":"yellow"'*) return 0 ;; esac
  return 1
}

# Kibana is ready when its status API answers 200 (it answers 503 while it is not available).
kibana_ready() {
  [ "$STATUS" = 200 ]
}

# valid_name NAME WHAT: fails unless NAME is safe as a URL path segment (role and user names of the values are).
valid_name() {
  case $1 in
    '' | *[!A-Za-z0-9_.@-]*) fail "$2 '$1' must be letters, digits, '_', '.', '@' and '-'" ;;
  esac
}

# put_tsv FILE PATH-PREFIX WHAT: PUT every `<name><TAB><body>` line of FILE to PATH-PREFIX<name>.
put_tsv() {
  [ -r "$1" ] || fail "cannot read $1"
  # `|| [ -n ... ]`: the last line counts even without a newline after it
  while IFS=$TAB read -r _name _body || [ -n "$_name" ]; do
    case $_name in '' | '#'*) continue ;; esac
    valid_name "$_name" "$3 name"
    put "$3 $_name" "$2$_name" "$_body"
  done <"$1"
}

# put_user USERNAME PASSWORD-FILE BODY: creates or updates a native-realm user, its password added to BODY.
put_user() {
  valid_name "$1" 'user name'
  _password=$(read_secret "$2" "the password of user $1")
  SECRETS="$SECRETS$_password$NL$(escape "$_password")$NL"
  case $3 in
    '{}') _user_body="{\"password\":\"$(escape "$_password")\"}" ;;
    '{'*) _user_body="{\"password\":\"$(escape "$_password")\",${3#\{}" ;;
    *) fail "the body of user $1 is not a JSON object" ;;
  esac
  put "user $1" "/_security/user/$1" "$_user_body"
}

ES_PASSWORD=$(read_secret "$ES_PASSWORD_FILE" "the password of the $ES_USER user")
SECRETS="$SECRETS$ES_PASSWORD$NL$(escape "$ES_PASSWORD")$NL"

wait_for Elasticsearch "$ES_URL/_cluster/health" elasticsearch_ready
say "Elasticsearch is ready"

put_tsv "$CONFIG_DIR/policies.tsv" /_ilm/policy/ 'lifecycle policy'
put_tsv "$CONFIG_DIR/index-templates.tsv" /_index_template/ 'index template'
put_tsv "$CONFIG_DIR/roles.tsv" /_security/role/ 'role'

[ -r "$SHIPPER_DIR/username" ] || fail "cannot read the shipper's user name from $SHIPPER_DIR/username"
SHIPPER_USER=$(cat "$SHIPPER_DIR/username")
put_user "$SHIPPER_USER" "$SHIPPER_DIR/password" \
  "{\"roles\":[\"$SHIPPER_ROLE\"],\"full_name\":\"Log shipper (Fluent Bit)\",\"metadata\":{\"managed_by\":\"meetscale\",\"chart\":\"logging\"}}"

[ -r "$CONFIG_DIR/users.tsv" ] || fail "cannot read $CONFIG_DIR/users.tsv"
while IFS=$TAB read -r _username _password_file _body || [ -n "$_username" ]; do
  case $_username in '' | '#'*) continue ;; esac
  # the shipper's user is the chart's own: a user of the values by that name would take its password and roles
  [ "$_username" != "$SHIPPER_USER" ] || fail "security.users: $_username is the shipper's user; choose another name"
  put_user "$_username" "$_password_file" "$_body"
done <"$CONFIG_DIR/users.tsv"

if [ -z "$KIBANA_URL" ]; then
  say "Kibana is off: no saved objects to import"
  exit 0
fi

wait_for Kibana "$KIBANA_URL/api/status" kibana_ready
say "Kibana is ready"

OBJECTS=$CONFIG_DIR/kibana-objects.ndjson
[ -r "$OBJECTS" ] || fail "cannot read $OBJECTS"
request POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" '' "file=@$OBJECTS;type=application/ndjson"
case $STATUS:$RESPONSE in
  200:*'"success":true'*) say "Kibana saved objects: imported" ;;
  *) fail "POST /api/saved_objects/_import failed: HTTP $STATUS: $(redact "$RESPONSE")" ;;
esac

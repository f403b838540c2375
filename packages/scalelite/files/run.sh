#!/bin/sh
# How the scalelite chart starts every Scalelite (Rails) container, before the command it is given.
#
# REDIS_URL: Scalelite reads Redis' address from this one URL (config/redis_store.yml), and redis-rb
# percent-decodes its password (CGI.unescape). The chart keeps the password in a Secret (REDIS_PASSWORD) and the
# rest in REDIS_URL_BASE (and an ACL user in REDIS_USERNAME); user and password are percent-encoded here, every
# byte, so any character is safe.
#
#   run.sh --recordings-layout <command...>   create the recordings share's folders, then run the command
#   run.sh --servers-sync                      apply the declared servers with servers:sync in cordon mode
#   run.sh <command...>                        run the command
set -eu

percent_encoded() {
  printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/\(..\)/%\1/g'
}

if [ -n "${REDIS_PASSWORD:-}" ]; then
  scheme="${REDIS_URL_BASE%%://*}"
  user="$(percent_encoded "${REDIS_USERNAME:-}")"
  REDIS_URL="${scheme}://${user}:$(percent_encoded "$REDIS_PASSWORD")@${REDIS_URL_BASE#*://}"
else
  REDIS_URL="${REDIS_URL_BASE}"
fi
export REDIS_URL

case "${1:-}" in
  --recordings-layout)
    shift
    # the share's layout (docs/sharedvolume-README.md): group scalelite-spool may write everywhere
    for folder in spool recording/scalelite published unpublished; do
      mkdir -p "/var/bigbluebutton/$folder"
      chmod 2775 "/var/bigbluebutton/$folder" 2>/dev/null || true
    done
    exec "$@"
    ;;
  --servers-sync)
    ruby /scalelite-chart/servers-sync.rb /scalelite-chart/servers.yaml /tmp/servers-sync.yaml
    exec bundle exec rake "servers:sync[/tmp/servers-sync.yaml,cordon]"
    ;;
  *)
    exec "$@"
    ;;
esac

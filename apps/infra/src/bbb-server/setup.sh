#!/bin/bash
# Installs a meetscale BigBlueButton 3.0 server, once: cloud-init runs it from `runcmd` on the server's first boot
# (apps/infra/src/bbb-cloud-config.ts writes it and /etc/meetscale/bbb-server.env, which it reads). A later start of
# the stopped VM does not run it again: the installation stays on the volume.
#
# Every download is pinned and checked against its SHA-256 before it runs. The script has no `$`-brace expansions:
# Terraform would read them as its own interpolations in the user data.
set -euo pipefail
. /etc/meetscale/bbb-server.env

log() { echo "meetscale-bbb-setup: $*"; }

# fetch <url> <sha256> <file>: downloads <url> to <file> and fails unless its SHA-256 is <sha256>
fetch() {
  curl --fail --silent --show-error --location --retry 10 --retry-delay 6 --output "$3" "$1"
  echo "$2  $3" | sha256sum --check --strict -
}

# wait_for <seconds> <what> <command...>: runs the command every 10 s until it succeeds, at most <seconds>
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "gave up waiting for $what"
      return 1
    fi
    sleep 10
  done
}

resolves_to_own_ip() { [ "$(getent ahostsv4 "$FQDN" | awk 'NR == 1 { print $1 }')" = "$PUBLIC_IP" ]; }

mount_recordings() {
  netplan apply >/dev/null 2>&1 || true
  mountpoint --quiet "$RECORDINGS_MOUNT" || mount "$RECORDINGS_MOUNT"
}

# 1. The recordings share: the NIC in the state's private LAN is attached just after the server is created, so it
#    may come up after this script starts (the netplan file of cloud-init's write_files configures it by DHCP).
log "mounting the recordings share at $RECORDINGS_MOUNT"
mkdir -p "$RECORDINGS_MOUNT"
wait_for 1800 "the recordings share" mount_recordings

# 2. bbb-install.sh asks Let's Encrypt for the server's certificate (HTTP-01 on port 80): the server's name must
#    resolve to its reserved IP first.
log "waiting until $FQDN resolves to $PUBLIC_IP"
wait_for 1800 "DNS of $FQDN" resolves_to_own_ip

# 3. BigBlueButton 3.0, its certificate, its TURN server; then the server's shared secret from the stack.
log "installing BigBlueButton ($BBB_INSTALL_VERSION, bbb-install.sh at $BBB_INSTALL_COMMIT)"
fetch "https://raw.githubusercontent.com/bigbluebutton/bbb-install/$BBB_INSTALL_COMMIT/bbb-install.sh" \
  "$BBB_INSTALL_SHA256" /root/bbb-install.sh
bash /root/bbb-install.sh -v "$BBB_INSTALL_VERSION" -s "$FQDN" -e "$ACME_EMAIL"
bbb-conf --setsecret "$BBB_SECRET"

# 4. Scalelite's recording transfer (its bigbluebutton/README.md and docs/sharedvolume-README.md): the
#    bigbluebutton user joins the group that may write the share (GID 2000), the post-publish hook copies each
#    published recording into the share's spool folder, where Scalelite's importer picks it up.
log "installing Scalelite's post-publish hook ($SCALELITE_TAG)"
getent group scalelite-spool >/dev/null || groupadd --gid "$SCALELITE_SPOOL_GID" scalelite-spool
usermod --append --groups scalelite-spool bigbluebutton
fetch "https://raw.githubusercontent.com/blindsidenetworks/scalelite/$SCALELITE_TAG/bigbluebutton/scalelite_post_publish.rb" \
  "$SCALELITE_POST_PUBLISH_SHA256" /usr/local/bigbluebutton/core/scripts/post_publish/scalelite_post_publish.rb
install --mode 0644 /etc/meetscale/scalelite.yml /usr/local/bigbluebutton/core/scripts/scalelite.yml

# 5. node-exporter, on loopback port 19100 (node-exporter.service): nginx serves it with the server's certificate.
log "installing node-exporter $NODE_EXPORTER_VERSION"
tarball="node_exporter-$NODE_EXPORTER_VERSION.linux-amd64"
fetch "https://github.com/prometheus/node_exporter/releases/download/v$NODE_EXPORTER_VERSION/$tarball.tar.gz" \
  "$NODE_EXPORTER_SHA256" "/root/$tarball.tar.gz"
tar --extract --gzip --file "/root/$tarball.tar.gz" --directory /root "$tarball/node_exporter"
install --mode 0755 "/root/$tarball/node_exporter" /usr/local/bin/node_exporter
getent passwd node-exporter >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin node-exporter
systemctl daemon-reload
systemctl enable --now node-exporter.service

# 6. bigbluebutton-exporter (the Docker image its documentation recommends; bbb-install.sh installed Docker), on
#    loopback port 19688: nginx serves it with the server's certificate. It reads the recordings from disk, as the
#    monitoring chart's BigBlueButtonRecordingsUnprocessed alert needs.
log "installing bigbluebutton-exporter $BBB_EXPORTER_IMAGE"
install --mode 0600 /dev/null /etc/meetscale/bigbluebutton-exporter.env
cat >/etc/meetscale/bigbluebutton-exporter.env <<ENV
API_BASE_URL=$BBB_API_URL
API_SECRET=$BBB_SECRET
BIND_IP=127.0.0.1
PORT=19688
RECORDINGS_METRICS_READ_FROM_DISK=true
BBB_VERSION_READ_FROM_DISK=true
ENV
docker pull "$BBB_EXPORTER_IMAGE"
systemctl daemon-reload
systemctl enable --now bigbluebutton-exporter.service

# 7. The exporters over TLS with the server's Let's Encrypt certificate, on the ports the monitoring chart scrapes;
#    nginx reloads whenever certbot renews the certificate.
log "serving the exporters on $NODE_EXPORTER_PORT and $BBB_EXPORTER_PORT"
certificate="/etc/letsencrypt/live/$FQDN"
cat >/etc/nginx/conf.d/meetscale-exporters.conf <<NGINX
# meetscale: the exporters, for the state's Prometheus (the IONOS firewall admits only its networks)
server {
  listen $NODE_EXPORTER_PORT ssl;
  server_name $FQDN;
  ssl_certificate $certificate/fullchain.pem;
  ssl_certificate_key $certificate/privkey.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  location = /metrics { proxy_pass http://127.0.0.1:19100/metrics; }
  location / { return 404; }
}
server {
  listen $BBB_EXPORTER_PORT ssl;
  server_name $FQDN;
  ssl_certificate $certificate/fullchain.pem;
  ssl_certificate_key $certificate/privkey.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  location = /metrics { proxy_pass http://127.0.0.1:19688/; proxy_read_timeout 60s; }
  location / { return 404; }
}
NGINX
mkdir -p /etc/letsencrypt/renewal-hooks/deploy
install --mode 0755 /dev/stdin /etc/letsencrypt/renewal-hooks/deploy/meetscale-reload-nginx <<'HOOK'
#!/bin/sh
systemctl reload nginx
HOOK
nginx -t
systemctl reload nginx

# 8. Restart BigBlueButton: the new secret, and the recording workers with their new group.
bbb-conf --restart
touch /var/lib/meetscale-bbb-installed
log "done: https://$FQDN/bigbluebutton/api/"

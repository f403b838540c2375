import { and, type HelmChart, isEmpty, joined, Manifest, not, onlyWhen, or, orDefault } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';

import { scratchVolume } from './_pod';
import { ComponentDeployment } from './component-deployment';
import { CREDENTIAL_KEYS, PORTS, type ShardSettings } from './shard-settings';
import { prosodyTurnEnv } from './turn';
import type { JitsiShardValues } from './values';

/** Settings of the Prosody construct. */
export interface ProsodyProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
  /** The shard's shared settings. */
  readonly settings: ShardSettings;
}

/**
 * Prosody, the XMPP server of the shard: one replica (sessions live in its memory), recreated rather than
 * rolled so that jicofo and the bridges never see two. It creates the jicofo and bridge accounts from the
 * credentials Secret at every start (its data directory is an emptyDir, or a claim with `prosody.persistence`, which
 * `auth.type: internal` needs for its accounts), and serves `/metrics`.
 */
export class Prosody extends Construct {
  public constructor(scope: Construct, id: string, props: ProsodyProps) {
    super(scope, id);
    const { chart, settings } = props;
    const v = chart.values.prosody;
    // Plugins from a ConfigMap of the user's, mounted whole into the directory the image declares for them:
    // jitsi-meet.cfg.lua searches /prosody-plugins-custom first (docker-jitsi-meet prosody/rootfs/defaults/conf.d).
    const pluginsConfigMap = v.pluginsConfigMap;
    const pluginsVolume = {
      name: 'plugins',
      configMap: onlyWhen(not(isEmpty(pluginsConfigMap)), { name: String(pluginsConfigMap) }),
      emptyDir: onlyWhen(isEmpty(pluginsConfigMap), scratchVolume('plugins', '1Mi').emptyDir),
    };
    // The data directory: an emptyDir, or with `persistence.enabled` or `existingClaim` a claim (the chart's, kept on
    // uninstall, or the user's), so that internal accounts outlive the pod. The image's start script creates `data/` in it.
    const p = v.persistence;
    const claimName = String(chart.componentName('prosody-data'));
    const claim = new Manifest<PersistentVolumeClaim>(this, 'data', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName,
        labels: chart.standardLabels('prosody'),
        annotations: { 'helm.sh/resource-policy': 'keep' },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      },
    });
    const persistent = or(p.enabled, not(isEmpty(p.existingClaim)));
    chart.renderWhen(claim, and(p.enabled, isEmpty(p.existingClaim)));
    const dataVolume = {
      name: 'data',
      persistentVolumeClaim: onlyWhen(persistent, {
        claimName: String(chart.defineText('prosody.dataClaim', String(orDefault(p.existingClaim, claimName)))),
      }),
      emptyDir: onlyWhen(not(persistent), scratchVolume('data', '64Mi').emptyDir),
    };
    const modules = (name: string, list: typeof v.modules.main): { name: string; value: string } => ({
      name,
      value: String(joined(list, ',')),
    });
    new ComponentDeployment(this, 'component', {
      chart,
      settings,
      component: 'prosody',
      values: v,
      strategy: { type: 'Recreate' },
      container: {
        ports: [
          { name: 'xmpp-c2s', containerPort: PORTS.xmppClient, protocol: 'TCP' },
          { name: 'http', containerPort: PORTS.prosodyHttp, protocol: 'TCP' },
        ],
        volumeMounts: [
          { name: 'data', mountPath: '/var/lib/prosody' },
          { name: 'plugins', mountPath: '/prosody-plugins-custom', readOnly: true },
        ],
        env: [
          [
            settings.credential('JICOFO_AUTH_PASSWORD', CREDENTIAL_KEYS.jicofo),
            settings.credential('JVB_AUTH_PASSWORD', CREDENTIAL_KEYS.jvb),
            { name: 'PROSODY_ENABLE_METRICS', value: 'true' },
            { name: 'PROSODY_METRICS_ALLOWED_CIDR', value: String(v.metricsAllowedCidr) },
            // prosody.cfg.lua's trusted_proxies (default only loopback): web's nginx is the proxy in front of BOSH and
            // the websocket and sets X-Forwarded-For (web/rootfs/defaults/meet.conf).
            { name: 'PROSODY_TRUSTED_PROXIES', value: String(v.trustedProxies) },
            // Comma-separated module lists the image's prosody templates add to modules_enabled.
            modules('GLOBAL_MODULES', v.modules.global),
            modules('XMPP_MODULES', v.modules.main),
            modules('XMPP_MUC_MODULES', v.modules.muc),
            modules('XMPP_INTERNAL_MUC_MODULES', v.modules.internalMuc),
          ],
          settings.jwtSecretEnv,
          settings.ldapSecretEnv,
          ...prosodyTurnEnv(chart),
        ],
      },
      volumes: [dataVolume, pluginsVolume],
      servicePorts: [
        { name: 'xmpp-c2s', port: PORTS.xmppClient, targetPort: 'xmpp-c2s', protocol: 'TCP' },
        { name: 'http', port: PORTS.prosodyHttp, targetPort: 'http', protocol: 'TCP' },
      ],
    });
  }
}

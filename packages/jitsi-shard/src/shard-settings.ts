import { and, eq, type HelmChart, type HelmValue, joined, listWhen, Manifest, not, orDefault, ternary } from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { ConfigMap, EnvVar, Secret } from 'kubernetes-types/core/v1';

import type { JitsiShardValues } from './values';

/** Settings of the ShardSettings construct. */
export interface ShardSettingsProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
}

/** Keys of the XMPP credentials, in the generated Secret and in `credentials.existingSecret`. */
export const CREDENTIAL_KEYS = { jicofo: 'jicofo-auth-password', jvb: 'jvb-auth-password' } as const;

/** Ports inside the shard, fixed by the jitsi images. */
export const PORTS = {
  /** web: nginx HTTP (the images run rootless, so not 80). */
  webHttp: 8000,
  /** prosody: XMPP client connections of jicofo and the bridges. */
  xmppClient: 5222,
  /** prosody: BOSH, websocket, `/metrics`. */
  prosodyHttp: 5280,
  /** jicofo: REST API with `/about/health` and `/metrics`. */
  jicofoHttp: 8888,
  /** jvb: private REST API with `/about/health`, `/metrics` and `/colibri/shutdown`. */
  jvbHttp: 8080,
} as const;

/**
 * What every component of a shard shares: a ConfigMap of docker-jitsi-meet settings (domains, auth, the
 * prosody address) that every container loads with `envFrom`, and the XMPP credentials of jicofo and the
 * bridges. The credentials are generated on first install and read back with `lookup` on every upgrade, so
 * they never change and never appear in values; or they come from `credentials.existingSecret`.
 */
export class ShardSettings extends Construct {
  /** Name of the ConfigMap every container loads. */
  public readonly configMapName: string;
  /** Name of the Secret holding the XMPP credentials (generated or existing). */
  public readonly credentialsSecret: HelmValue<string>;
  /** Changes whenever a shared setting changes; a pod annotation, so every component rolls. */
  public readonly checksum: string;
  /** `JWT_APP_SECRET` from `auth.jwt.existingSecret` when `auth.type` is `jwt`, for prosody. */
  public readonly jwtSecretEnv: HelmValue<unknown[]>;

  public constructor(scope: Construct, id: string, props: ShardSettingsProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values;
    // Fully qualified: web's nginx proxies BOSH with variables in proxy_pass, so it resolves the name at run time
    // through its `resolver`, which applies no search domains.
    const prosody = String(
      chart.defineText('prosody.host', `${chart.componentName('prosody')}.${chart.release.namespace}.svc.${v.clusterDomain}`),
    );
    const jwt = eq(v.auth.type, 'jwt');
    const yesNo = (condition: HelmValue<unknown>): string => String(ternary(condition, '1', '0', 'string'));
    const commaSeparated = (list: HelmValue<unknown>): string => String(joined(list, ','));

    const settings: Record<string, string> = {
      PUBLIC_URL: `https://${v.domain}`,
      TZ: String(v.timezone),
      XMPP_DOMAIN: String(v.xmpp.domain),
      XMPP_AUTH_DOMAIN: String(v.xmpp.authDomain),
      XMPP_MUC_DOMAIN: String(v.xmpp.mucDomain),
      XMPP_INTERNAL_MUC_DOMAIN: String(v.xmpp.internalMucDomain),
      XMPP_GUEST_DOMAIN: String(v.xmpp.guestDomain),
      JVB_BREWERY_MUC: String(v.xmpp.breweryMuc),
      XMPP_SERVER: prosody,
      XMPP_PORT: String(PORTS.xmppClient),
      XMPP_BOSH_URL_BASE: `http://${prosody}:${PORTS.prosodyHttp}`,
      ENABLE_XMPP_WEBSOCKET: '1',
      ENABLE_AUTH: yesNo(jwt),
      AUTH_TYPE: String(ternary(jwt, 'jwt', 'internal', 'string')),
      // The images create the guest domain only with authentication on.
      ENABLE_GUESTS: yesNo(v.auth.enableGuests),
      JWT_APP_ID: String(v.auth.jwt.appId),
      JWT_ACCEPTED_ISSUERS: commaSeparated(v.auth.jwt.acceptedIssuers),
      JWT_ACCEPTED_AUDIENCES: commaSeparated(v.auth.jwt.acceptedAudiences),
      // /run is an emptyDir, which Kubernetes creates world-writable; s6-overlay refuses that without this.
      S6_YES_I_WANT_A_WORLD_WRITABLE_RUN_BECAUSE_KUBERNETES: '1',
    };
    this.configMapName = String(chart.componentName('settings'));
    const configMap = new Manifest<ConfigMap>(this, 'configmap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.configMapName, labels: chart.standardLabels('settings') },
      data: settings,
    });
    this.checksum = String(chart.checksumOf(configMap));

    chart.failWhen(
      and(jwt, not(v.auth.jwt.existingSecret)),
      'auth.jwt.existingSecret: name the Secret holding the token signing secret when auth.type is jwt',
    );

    this.jwtSecretEnv = listWhen(jwt, [
      {
        name: 'JWT_APP_SECRET',
        valueFrom: { secretKeyRef: { name: String(v.auth.jwt.existingSecret), key: String(v.auth.jwt.secretKey) } },
      },
    ]);

    const generatedName = chart.componentName('xmpp-credentials');
    this.credentialsSecret = orDefault(v.credentials.existingSecret, generatedName);
    // On upgrade, lookup finds the Secret of the first install and its passwords are kept; on first install
    // (and in `helm template`, where lookup finds nothing) new random passwords are generated.
    const secret = new Manifest<Secret>(this, 'secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: String(generatedName), labels: chart.standardLabels('xmpp-credentials') },
      type: 'Opaque',
      data: Object.fromEntries(
        Object.values(CREDENTIAL_KEYS).map((key) => [key, String(chart.generatedSecretValue('xmpp-credentials', key))]),
      ),
    });
    chart.renderWhen(secret, not(v.credentials.existingSecret));
  }

  /** An env entry read from the XMPP credentials Secret. */
  public credential(name: string, key: string): EnvVar {
    return { name, valueFrom: { secretKeyRef: { name: String(this.credentialsSecret), key } } };
  }
}

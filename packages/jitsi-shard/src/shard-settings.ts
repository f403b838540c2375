import {
  and,
  eq,
  type HelmChart,
  type HelmValue,
  isEmpty,
  joined,
  listWhen,
  Manifest,
  not,
  or,
  orDefault,
  ternary,
} from '@meetscale/chart-toolkit';
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

/** The components of a shard, each loading the docker-jitsi-meet settings its image reads. */
export type ShardComponent = 'web' | 'prosody' | 'jicofo' | 'jvb';

/** The docker-jitsi-meet settings the chart sets, by name. */
type SettingName =
  | 'PUBLIC_URL'
  | 'TZ'
  | 'XMPP_DOMAIN'
  | 'XMPP_AUTH_DOMAIN'
  | 'XMPP_MUC_DOMAIN'
  | 'XMPP_INTERNAL_MUC_DOMAIN'
  | 'XMPP_GUEST_DOMAIN'
  | 'JVB_BREWERY_MUC'
  | 'XMPP_SERVER'
  | 'XMPP_PORT'
  | 'XMPP_BOSH_URL_BASE'
  | 'ENABLE_XMPP_WEBSOCKET'
  | 'ENABLE_AUTH'
  | 'AUTH_TYPE'
  | 'ENABLE_GUESTS'
  | 'JWT_APP_ID'
  | 'JWT_ACCEPTED_ISSUERS'
  | 'JWT_ACCEPTED_AUDIENCES'
  | 'LDAP_URL'
  | 'LDAP_BASE'
  | 'LDAP_FILTER'
  | 'LDAP_BINDDN'
  | 'LDAP_START_TLS'
  | 'ENABLE_WELCOME_PAGE'
  | 'DEFAULT_LANGUAGE'
  | 'S6_YES_I_WANT_A_WORLD_WRITABLE_RUN_BECAUSE_KUBERNETES';

/** What every process reads: the time zone of its log timestamps, and s6-overlay's switch (see below). */
const EVERY_COMPONENT_READS: readonly SettingName[] = ['TZ', 'S6_YES_I_WANT_A_WORLD_WRITABLE_RUN_BECAUSE_KUBERNETES'];

/**
 * The settings each image reads, as docker-jitsi-meet's templates at JITSI_RELEASE read them, so that a change
 * rolls only the components that read it (a bridge drains for up to two hours before it stops):
 * - web: `web/rootfs/defaults/meet.conf` (nginx) and `system-config.js`, `settings-config.js` (config.js: the
 *   welcome page and the default language too);
 * - prosody: `prosody/rootfs/defaults/prosody.cfg.lua`, `conf.d/jitsi-meet.cfg.lua` and `saslauthd.conf` (LDAP);
 * - jicofo: `jicofo/rootfs/defaults/jicofo.conf`;
 * - jvb: `jvb/rootfs/defaults/jvb.conf`, which needs only the way into the brewery room.
 */
const COMPONENT_READS: Record<ShardComponent, readonly SettingName[]> = {
  web: [
    'PUBLIC_URL',
    'XMPP_DOMAIN',
    'XMPP_MUC_DOMAIN',
    'XMPP_GUEST_DOMAIN',
    'XMPP_BOSH_URL_BASE',
    'ENABLE_XMPP_WEBSOCKET',
    'ENABLE_AUTH',
    'ENABLE_GUESTS',
    'ENABLE_WELCOME_PAGE',
    'DEFAULT_LANGUAGE',
  ],
  prosody: [
    'PUBLIC_URL',
    'XMPP_DOMAIN',
    'XMPP_AUTH_DOMAIN',
    'XMPP_MUC_DOMAIN',
    'XMPP_INTERNAL_MUC_DOMAIN',
    'XMPP_GUEST_DOMAIN',
    'JVB_BREWERY_MUC',
    'XMPP_PORT',
    'ENABLE_XMPP_WEBSOCKET',
    'ENABLE_AUTH',
    'AUTH_TYPE',
    'ENABLE_GUESTS',
    'JWT_APP_ID',
    'JWT_ACCEPTED_ISSUERS',
    'JWT_ACCEPTED_AUDIENCES',
    'LDAP_URL',
    'LDAP_BASE',
    'LDAP_FILTER',
    'LDAP_BINDDN',
    'LDAP_START_TLS',
  ],
  jicofo: [
    'XMPP_DOMAIN',
    'XMPP_AUTH_DOMAIN',
    'XMPP_MUC_DOMAIN',
    'XMPP_INTERNAL_MUC_DOMAIN',
    'JVB_BREWERY_MUC',
    'XMPP_SERVER',
    'XMPP_PORT',
    'ENABLE_AUTH',
    'AUTH_TYPE',
  ],
  jvb: ['XMPP_AUTH_DOMAIN', 'XMPP_INTERNAL_MUC_DOMAIN', 'JVB_BREWERY_MUC', 'XMPP_SERVER', 'XMPP_PORT'],
};

/** The settings ConfigMap of one component. */
export interface ComponentSettings {
  /** Name of the ConfigMap the component's container loads with `envFrom`. */
  readonly configMapName: string;
  /** Changes whenever a setting the component reads changes; a pod annotation, so only that component rolls. */
  readonly checksum: string;
}

/**
 * What the components of a shard share: the docker-jitsi-meet settings (domains, auth, the prosody address),
 * split into one ConfigMap per component holding only what that component's image reads, each with its own
 * checksum; and the XMPP credentials of jicofo and the bridges. The credentials are generated on first install
 * and read back with `lookup` on every upgrade, so they never change and never appear in values; or they come
 * from `credentials.existingSecret`.
 */
export class ShardSettings extends Construct {
  /** Name of the Secret holding the XMPP credentials (generated or existing). */
  public readonly credentialsSecret: HelmValue<string>;
  /** `JWT_APP_SECRET` from `auth.jwt.existingSecret` when `auth.type` is `jwt`, for prosody. */
  public readonly jwtSecretEnv: HelmValue<unknown[]>;
  /** `LDAP_BINDPW` from `auth.ldap.existingSecret` when `auth.type` is `ldap` with a bind DN, for prosody. */
  public readonly ldapSecretEnv: HelmValue<unknown[]>;
  /** The fully qualified name of prosody's Service. */
  public readonly prosodyHost: string;
  /** The fully qualified name of jicofo's Service, for web's health path. */
  public readonly jicofoHost: string;
  private readonly components: Record<ShardComponent, ComponentSettings>;

  public constructor(scope: Construct, id: string, props: ShardSettingsProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values;
    // Fully qualified: web's nginx proxies BOSH with variables in proxy_pass, so it resolves the name at run time
    // through its `resolver`, which applies no search domains.
    const prosody = String(
      chart.defineText('prosody.host', `${chart.componentName('prosody')}.${chart.release.namespace}.svc.${v.clusterDomain}`),
    );
    this.prosodyHost = prosody;
    this.jicofoHost = String(
      chart.defineText('jicofo.host', `${chart.componentName('jicofo')}.${chart.release.namespace}.svc.${v.clusterDomain}`),
    );
    const jwt = eq(v.auth.type, 'jwt');
    const anonymous = eq(v.auth.type, 'anonymous');
    const yesNo = (condition: HelmValue<unknown>): string => String(ternary(condition, '1', '0', 'string'));
    const commaSeparated = (list: HelmValue<unknown>): string => String(joined(list, ','));

    const settings: Record<SettingName, string> = {
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
      ENABLE_AUTH: yesNo(not(anonymous)),
      // prosody's authentication provider; jicofo reads only whether it is `jwt` (JWT) or not (XMPP logins).
      AUTH_TYPE: String(ternary(anonymous, 'internal', v.auth.type, 'string')),
      // The images create the guest domain only with authentication on.
      ENABLE_GUESTS: yesNo(v.auth.enableGuests),
      JWT_APP_ID: String(v.auth.jwt.appId),
      JWT_ACCEPTED_ISSUERS: commaSeparated(v.auth.jwt.acceptedIssuers),
      JWT_ACCEPTED_AUDIENCES: commaSeparated(v.auth.jwt.acceptedAudiences),
      LDAP_URL: String(v.auth.ldap.url),
      LDAP_BASE: String(v.auth.ldap.base),
      LDAP_FILTER: String(v.auth.ldap.filter),
      // saslauthd.conf binds with a DN and password only when LDAP_BINDDN is not empty.
      LDAP_BINDDN: String(v.auth.ldap.bindDn),
      LDAP_START_TLS: yesNo(v.auth.ldap.startTls),
      ENABLE_WELCOME_PAGE: String(ternary(v.web.welcomePage, 'true', 'false', 'string')),
      // Empty: settings-config.js sets no config.defaultLanguage.
      DEFAULT_LANGUAGE: String(v.web.defaultLanguage),
      // /run is an emptyDir, which Kubernetes creates world-writable; s6-overlay refuses that without this.
      S6_YES_I_WANT_A_WORLD_WRITABLE_RUN_BECAUSE_KUBERNETES: '1',
    };
    const configMapOf = (component: ShardComponent): ComponentSettings => {
      const names = [...COMPONENT_READS[component], ...EVERY_COMPONENT_READS];
      const configMapName = String(chart.componentName(`${component}-settings`));
      const configMap = new Manifest<ConfigMap>(this, component, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configMapName, labels: chart.standardLabels(component) },
        data: Object.fromEntries(names.map((name) => [name, settings[name]])),
      });
      return { configMapName, checksum: String(chart.checksumOf(configMap)) };
    };
    this.components = {
      web: configMapOf('web'),
      prosody: configMapOf('prosody'),
      jicofo: configMapOf('jicofo'),
      jvb: configMapOf('jvb'),
    };

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

    const ldap = eq(v.auth.type, 'ldap');
    chart.failWhen(
      and(ldap, or(isEmpty(v.auth.ldap.url), isEmpty(v.auth.ldap.base))),
      'auth.ldap.url and auth.ldap.base: name the LDAP server and the search base of the users when auth.type is ldap',
    );
    const ldapBind = and(ldap, not(isEmpty(v.auth.ldap.bindDn)));
    chart.failWhen(
      and(ldapBind, isEmpty(v.auth.ldap.existingSecret)),
      'auth.ldap.existingSecret: name the Secret holding the bind password when auth.ldap.bindDn is set',
    );
    this.ldapSecretEnv = listWhen(ldapBind, [
      {
        name: 'LDAP_BINDPW',
        valueFrom: { secretKeyRef: { name: String(v.auth.ldap.existingSecret), key: String(v.auth.ldap.secretKey) } },
      },
    ]);
    chart.failWhen(
      and(eq(v.auth.type, 'internal'), not(v.prosody.persistence.enabled), isEmpty(v.prosody.persistence.existingClaim)),
      "prosody.persistence.enabled: enable it (or set existingClaim) when auth.type is internal, whose accounts live in prosody's data",
    );

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

  /** The settings ConfigMap of one component and its checksum. */
  public of(component: ShardComponent): ComponentSettings {
    return this.components[component];
  }

  /** An env entry read from the XMPP credentials Secret. */
  public credential(name: string, key: string): EnvVar {
    return { name, valueFrom: { secretKeyRef: { name: String(this.credentialsSecret), key } } };
  }
}

import { Construct } from 'constructs';

import { DnsRecord } from '../generated/providers/ionoscloud/dns-record';
import { DnsZone } from '../generated/providers/ionoscloud/dns-zone';

/** Properties of a {@link MeetingDns}. */
export interface MeetingDnsProps {
  /** The zone, e.g. `bremen.meetscale.example`. */
  readonly domain: string;
  /** Description of the zone. */
  readonly description: string;
}

/** A record to add to a {@link MeetingDns} zone. */
export interface MeetingDnsRecord {
  /** Name inside the zone, e.g. `meet`. */
  readonly name: string;
  /** Record type, e.g. `A`. */
  readonly type: 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'CAA';
  /** Record content, e.g. an IP address. */
  readonly content: string;
  /**
   * Time to live in seconds.
   * @default 300
   */
  readonly ttl?: number;
}

/** The state's DNS zone in IONOS Cloud DNS and the records of its meeting services. */
export class MeetingDns extends Construct {
  /** The zone. */
  public readonly zone: DnsZone;
  private readonly domain: string;

  constructor(scope: Construct, id: string, props: MeetingDnsProps) {
    super(scope, id);
    this.domain = props.domain;
    this.zone = new DnsZone(this, 'zone', { name: props.domain, description: props.description, enabled: true });
  }

  /** Adds a record; its construct id is `<name>-<type>`. */
  public addRecord(record: MeetingDnsRecord): DnsRecord {
    return new DnsRecord(this, `${record.name}-${record.type.toLowerCase()}`, {
      zoneId: this.zone.id,
      name: record.name,
      type: record.type,
      content: record.content,
      ttl: record.ttl ?? 300,
      enabled: true,
    });
  }

  /** The fully qualified name of a record name in this zone. */
  public fqdn(name: string): string {
    return `${name}.${this.domain}`;
  }
}

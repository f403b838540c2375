/**
 * The shell scripts of the videobridge pods, kept in `files/jvb/` and mounted from a ConfigMap. They run with the
 * jitsi image's `/bin/sh` and `curl`; tests run them with the real programs against a fake bridge on loopback.
 */
import { join } from 'node:path';

import { readChartText } from '@meetscale/chart-toolkit';

/** Where the scripts are mounted in the bridge container. */
export const SCRIPTS_DIR = '/scripts';

/** Where the public addresses of `advertise: publicAddresses` are mounted: `nodes/<node>` and `bridges/<i>`. */
export const PUBLIC_ADDRESSES_DIR = '/public-addresses';

const FILES_DIR = join(__dirname, '..', 'files', 'jvb');

/**
 * `start.sh`: prepares a bridge, then execs the image's entrypoint (given as arguments) so that s6-overlay's
 * `/init` stays PID 1. In the `nodePort` mode bridge `i` (the StatefulSet ordinal that ends the pod name) listens
 * on `JVB_NODE_PORT_BASE + i`, the port its own NodePort Service forwards; with `advertise: publicAddresses` the
 * bridge announces its own or its node's listed address, and refuses to start without one.
 */
export const START_SCRIPT: string = readChartText(join(FILES_DIR, 'start.sh'));

/**
 * `graceful-shutdown.sh`: the preStop hook of a bridge. It asks the bridge for a graceful shutdown (jicofo places
 * no new conference on it), then polls the bridge's participant count (`jitsi_jvb_local_endpoints`) until no
 * participant is left. Kubernetes ends the pod after `terminationGracePeriodSeconds` in any case. The hook returns
 * at once when the bridge refuses the request or stops answering (it shuts itself down a minute after it is empty).
 */
export const GRACEFUL_SHUTDOWN_SCRIPT: string = readChartText(join(FILES_DIR, 'graceful-shutdown.sh'));

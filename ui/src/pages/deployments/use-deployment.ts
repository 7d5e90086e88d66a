import { useEffect, useState } from "react";
import {
  type DeploymentDetail,
  type DeploymentLive,
  getDeployment,
  watchDeployment,
} from "../../api/deployments.js";

/** A deployment and its live figures, kept current over Server-Sent Events. */
export interface DeploymentState {
  detail: DeploymentDetail | undefined;
  live: DeploymentLive | undefined;
  /** A failed first load (e.g. 404), or the deployment being deleted while on screen. */
  error: Error | undefined;
  /** False while the event stream is down (the browser reconnects by itself). */
  connected: boolean;
}

/**
 * Loads a deployment once (so that a missing one gives its API error), then follows its event stream:
 * the definition on every change, live figures every 2 s.
 */
export function useDeployment(name: string): DeploymentState {
  const [state, setState] = useState<DeploymentState>({
    detail: undefined,
    live: undefined,
    error: undefined,
    connected: true,
  });
  useEffect(() => {
    setState({ detail: undefined, live: undefined, error: undefined, connected: true });
    const abort = new AbortController();
    let stop = () => {};
    getDeployment(name, abort.signal).then(
      (detail) => {
        setState((s) => ({ ...s, detail: s.detail ?? detail }));
        stop = watchDeployment(name, {
          onDeployment: (d) => setState((s) => ({ ...s, detail: d })),
          onLive: (live) => setState((s) => ({ ...s, live })),
          onGone: (message) => setState((s) => ({ ...s, error: new Error(message) })),
          onConnection: (connected) => setState((s) => (s.connected === connected ? s : { ...s, connected })),
        });
      },
      (error: Error) => {
        if (error.name !== "AbortError") setState((s) => ({ ...s, error }));
      },
    );
    return () => {
      abort.abort();
      stop();
    };
  }, [name]);
  return state;
}

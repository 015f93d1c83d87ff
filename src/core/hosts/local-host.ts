/** The name of the machine orch runs on: always a host, never stored. */
export const LOCAL_HOST = "local";

/** Arguments for the orb's jobs shared by the orb tests. */

/** The smallest arguments each job takes. */
export const MINIMAL_ARGS: Record<string, Record<string, unknown>> = {
  test: { steps: [{ run: { name: "Run the tests", command: "mkdir -p test-results && echo '<testsuite/>' > test-results/junit.xml" } }] },
  build: { repository: "shop" },
  release: { cluster: "prod", service: "web,worker", ssm_path: "/shop/prod", repository: "shop" },
  rollback: { cluster: "prod", service: "web,worker" },
  continue: { cluster: "prod", service: "web,worker" },
};

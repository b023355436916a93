/**
 * ContinueServiceDeployment, in a file of its own: only the continue command sends it, so the other
 * job builds of the CLI do not carry the command (see src/orb/cli-builds.ts, the config size budget).
 */
import { ContinueServiceDeploymentCommand } from "@aws-sdk/client-ecs";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/**
 * ContinueServiceDeployment: a deployment held by a PAUSE lifecycle hook goes on to its next stage
 * (CONTINUE) or rolls back to the previous service revision (ROLLBACK)
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html).
 */
export async function continueServiceDeployment(clients: Pick<AwsClients, "ecs">, serviceDeploymentArn: string, hookId: string, action: "CONTINUE" | "ROLLBACK"): Promise<void> {
  await awsCall("ContinueServiceDeployment", serviceDeploymentArn, () => clients.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId, action })));
}

// The client classes of the services other than ECS and ECR: clients.ts imports this module on the
// first call of one of them.
export { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
export { EventBridgeClient } from "@aws-sdk/client-eventbridge";
export { IAMClient } from "@aws-sdk/client-iam";
export { KMSClient } from "@aws-sdk/client-kms";
export { SchedulerClient } from "@aws-sdk/client-scheduler";
export { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
export { SSMClient } from "@aws-sdk/client-ssm";

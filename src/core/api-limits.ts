// Limits of AWS's APIs that code needs without loading the SDK.

/** DescribeServices takes at most 10 services per call (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html). */
export const DESCRIBE_SERVICES_BATCH = 10;

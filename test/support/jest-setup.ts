// In-process template tests skip aws-cdk-lib's built-in CloudFormation validation (about half of each synth;
// the template is the same). The whole-process synth test in test/bin runs it, as `cdk synth` does.
process.env.CDK_VALIDATION ??= 'false';

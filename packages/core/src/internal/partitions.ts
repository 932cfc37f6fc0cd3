/**
 * AWS partition metadata used by the endpoint rules' `aws.partition` function.
 *
 * Derived from the AWS SDKs' `partitions.json` (v1.1, as shipped by botocore): explicit region
 * lists first, then the partition's `regionRegex`, then the `aws` partition as the fallback, which
 * is the lookup order the Smithy rules engine specifies.
 *
 * @internal
 */

/** @internal */
export interface Partition {
  readonly name: string
  readonly dnsSuffix: string
  readonly dualStackDnsSuffix: string
  readonly supportsFIPS: boolean
  readonly supportsDualStack: boolean
  readonly implicitGlobalRegion: string
}

interface PartitionEntry {
  readonly outputs: Partition
  readonly regionRegex: RegExp
  readonly regions: ReadonlySet<string>
}

const entry = (
  name: string,
  regionRegex: RegExp,
  dnsSuffix: string,
  dualStackDnsSuffix: string,
  implicitGlobalRegion: string,
  regions: ReadonlyArray<string>
): PartitionEntry => ({
  outputs: { name, dnsSuffix, dualStackDnsSuffix, supportsFIPS: true, supportsDualStack: true, implicitGlobalRegion },
  regionRegex,
  regions: new Set(regions)
})

/** @internal */
export const partitions: ReadonlyArray<PartitionEntry> = [
  entry("aws", /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, "amazonaws.com", "api.aws", "us-east-1", [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "aws-global", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
    "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
    "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"
  ]),
  entry("aws-cn", /^cn-\w+-\d+$/, "amazonaws.com.cn", "api.amazonwebservices.com.cn", "cn-northwest-1", [
    "aws-cn-global", "cn-north-1", "cn-northwest-1"
  ]),
  entry("aws-eusc", /^eusc-(de)-\w+-\d+$/, "amazonaws.eu", "api.amazonwebservices.eu", "eusc-de-east-1", [
    "eusc-de-east-1"
  ]),
  entry("aws-iso", /^us-iso-\w+-\d+$/, "c2s.ic.gov", "api.aws.ic.gov", "us-iso-east-1", [
    "aws-iso-global", "us-iso-east-1", "us-iso-west-1"
  ]),
  entry("aws-iso-b", /^us-isob-\w+-\d+$/, "sc2s.sgov.gov", "api.aws.scloud", "us-isob-east-1", [
    "aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"
  ]),
  entry("aws-iso-e", /^eu-isoe-\w+-\d+$/, "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", "eu-isoe-west-1", [
    "aws-iso-e-global", "eu-isoe-west-1"
  ]),
  entry("aws-iso-f", /^us-isof-\w+-\d+$/, "csp.hci.ic.gov", "api.aws.hci.ic.gov", "us-isof-south-1", [
    "aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"
  ]),
  entry("aws-us-gov", /^us-gov-\w+-\d+$/, "amazonaws.com", "api.aws", "us-gov-west-1", [
    "aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"
  ])
]

/**
 * `aws.partition(region)`: never fails; unknown regions resolve to the `aws` partition, as in every
 * AWS SDK, so that new commercial regions work before this table learns about them.
 *
 * @internal
 */
export const partitionOf = (region: string): Partition => {
  for (const p of partitions) {
    if (p.regions.has(region)) return p.outputs
  }
  for (const p of partitions) {
    if (p.regionRegex.test(region)) return p.outputs
  }
  return partitions[0]!.outputs
}

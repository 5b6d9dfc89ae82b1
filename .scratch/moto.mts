import { startMoto } from '/work/main/test/helpers/moto.ts';
import { EC2Client, RunInstancesCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { SSMClient, SendCommandCommand, GetCommandInvocationCommand } from '@aws-sdk/client-ssm';
const m = await startMoto();
Object.assign(process.env, m.env);
try {
  const ec2 = new EC2Client({ region: 'eu-central-1', endpoint: m.endpoint });
  const r = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', MetadataOptions: { HttpTokens: 'required' }, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, Encrypted: true } }], TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'jitsi-eu:stack', Value: 'good' }] }] }));
  const id = r.Instances![0]!.InstanceId!;
  console.log(id, r.Instances![0]!.Placement, r.Instances![0]!.MetadataOptions);
  const ssm = new SSMClient({ region: 'eu-central-1', endpoint: m.endpoint });
  const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [id], Parameters: { commands: ['echo hi'] } }));
  const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: id }));
  console.log(inv.Status, JSON.stringify(inv.StandardOutputContent));
} finally { await m.stop(); }

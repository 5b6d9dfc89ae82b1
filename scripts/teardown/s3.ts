// A configuration-bundle bucket left behind. It is versioned, so S3 refuses to delete it while it
// holds anything: every object version and every delete marker goes first, a listing page (at most
// 1000 keys, DeleteObjects' limit) at a time, then the bucket itself.
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, type ObjectIdentifier, type S3Client } from '@aws-sdk/client-s3';

/** `pageSize` is S3's own maximum unless a caller wants smaller pages. */
export async function deleteVersionedBucket(s3: S3Client, bucket: string, pageSize = 1000): Promise<void> {
  for (;;) {
    // Always the first page: what was listed before is deleted, so no marker has to stay valid.
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: pageSize }));
    const entries: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ Key: v.Key!, ...(v.VersionId ? { VersionId: v.VersionId } : {}) }));
    if (entries.length === 0) break;
    // Every round removes what it listed or stops here, so the loop ends.
    const failed = (await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: entries, Quiet: true } }))).Errors ?? [];
    if (failed.length > 0) {
      const { Key, Code, Message } = failed[0]!;
      throw new Error(`${failed.length} object version(s) of bucket ${bucket} could not be deleted, e.g. ${Key}: ${[Code, Message].filter(Boolean).join(' ')}`);
    }
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

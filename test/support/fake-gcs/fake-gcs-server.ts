import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CRC32C } from '@google-cloud/storage';
// The fault plan and error shapes are the same for every fake Google JSON API.
import { FaultPlan } from '../fault-plan.js';
import { HttpError, listenOnLoopback, serveWithFaults } from '../http-kit.js';

interface StoredObject {
  bytes: Buffer;
  generation: string;
  /** Reads answer 403, as for a caller without storage.objects.get. */
  denied: boolean;
}

export interface FakeGcs {
  /** http://127.0.0.1:<port>, for apiEndpoint or STORAGE_EMULATOR_HOST. */
  url: string;
  faults: FaultPlan;
  put(bucket: string, name: string, content: string | Buffer): void;
  /** The object exists but this caller may not read it. */
  deny(bucket: string, name: string): void;
  close(): Promise<void>;
}

/**
 * A local Cloud Storage JSON API server (objects.get: metadata, and media with
 * ?alt=media) for the real @google-cloud/storage client. Endpoints for faults
 * and counts: 'objects.get' and 'objects.download'. Media answers carry the
 * x-goog-hash header, so the client's checksum validation runs as in production.
 */
export async function startFakeGcs(): Promise<FakeGcs> {
  const objects = new Map<string, StoredObject>();
  const faults = new FaultPlan();
  let generations = 1_700_000_000_000_000;

  const find = (bucket: string, name: string): StoredObject => {
    const object = objects.get(`${bucket}/${name}`);
    if (object === undefined) throw new HttpError(404, 'notFound', `No such object: ${bucket}/${name}`);
    if (object.denied) {
      throw new HttpError(403, 'forbidden', `caller does not have storage.objects.get access to the Google Cloud Storage object ${bucket}/${name}.`);
    }
    return object;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // Served with and without the prefixes: the client drops them when STORAGE_EMULATOR_HOST is set.
    const match = /^(?:\/download)?(?:\/storage\/v1)?\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
    const media = url.searchParams.get('alt') === 'media';
    if (request.method !== 'GET' || match === null) {
      return serveWithFaults(faults, 'unknown', response, async () => {
        throw new HttpError(404, 'notFound', `The fake serves no ${request.method} ${url.pathname}`);
      });
    }
    const [bucket, name] = [decodeURIComponent(match[1] as string), decodeURIComponent(match[2] as string)];
    return serveWithFaults(faults, media ? 'objects.download' : 'objects.get', response, async () => {
      const object = find(bucket, name);
      if (!media) return { status: 200, body: metadataOf(bucket, name, object) };
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(object.bytes.length),
        'x-goog-generation': object.generation,
        'x-goog-stored-content-encoding': 'identity',
        'x-goog-hash': `crc32c=${crc32cOf(object.bytes)},md5=${md5Of(object.bytes)}`,
      });
      response.end(object.bytes);
    });
  };

  const server = await listenOnLoopback(handle);
  return {
    url: server.url,
    faults,
    put(bucket, name, content) {
      objects.set(`${bucket}/${name}`, { bytes: Buffer.from(content), generation: String(generations++), denied: false });
    },
    deny(bucket, name) {
      const object = objects.get(`${bucket}/${name}`) ?? { bytes: Buffer.alloc(0), generation: String(generations++), denied: true };
      objects.set(`${bucket}/${name}`, { ...object, denied: true });
    },
    async close() {
      await server.close();
    },
  };
}

function metadataOf(bucket: string, name: string, object: StoredObject) {
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/${object.generation}`,
    name,
    bucket,
    generation: object.generation,
    size: String(object.bytes.length),
    contentType: 'application/json',
    md5Hash: md5Of(object.bytes),
    crc32c: crc32cOf(object.bytes),
  };
}

function md5Of(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

function crc32cOf(bytes: Buffer): string {
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}

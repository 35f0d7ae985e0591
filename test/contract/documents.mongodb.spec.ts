import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, it } from 'vitest';
import { MongoDocumentStore } from '../../infra/documents/mongodb.ts';
import { serviceUrl } from '../support/services.ts';
import { describeDocumentStoreContract } from './documents.contract.ts';

const url = serviceUrl('mongodb', 'MONGODB_URL');

if (url) {
  // A database of its own, dropped at the end, so the suite never touches other data.
  const database = `agencygrid_contract_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  describeDocumentStoreContract('MongoDB', async () => MongoDocumentStore.connect(url, { database }), {
    cleanup: async () => {
      const client = new MongoClient(url);
      try {
        await client.connect();
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  });
} else {
  describe.skip('DocumentStore contract: MongoDB', () => {
    it('needs MONGODB_URL', () => {});
  });
}

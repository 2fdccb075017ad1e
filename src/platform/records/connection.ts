import { Type } from '@nestjs/common';
import { Field, Int, ObjectType } from '@nestjs/graphql';
import type { ChildPage } from './record.service.js';
import type { Page, RecordData } from './record.types.js';

@ObjectType('PageInfo', { description: 'Relay-style page information.' })
export class PageInfo {
  @Field({ description: 'Whether another page follows.' })
  hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor: string | null;
}

export interface Connection {
  nodes: RecordData[];
  edges: { node: RecordData; cursor: string }[];
  pageInfo: PageInfo;
  totalCount?: number;
}

const connectionTypes = new Map<Type<unknown>, Type<Connection>>();

/** `<Type>Connection` with nodes, edges, pageInfo and totalCount; one class per node type. */
export function ConnectionType(node: Type<unknown>, typeName: string): Type<Connection> {
  const existing = connectionTypes.get(node);
  if (existing) return existing;

  @ObjectType(`${typeName}Edge`)
  class Edge {
    @Field(() => node) node: object;
    @Field({ description: 'Cursor of this record.' }) cursor: string;
  }

  @ObjectType(`${typeName}Connection`, { description: `A page of ${typeName} records.` })
  class ConnectionClass implements Connection {
    @Field(() => [node]) nodes: RecordData[];
    @Field(() => [Edge]) edges: { node: RecordData; cursor: string }[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int, {
      nullable: true,
      description: 'Total matching records (costs a count query; ask only when needed).',
    })
    totalCount?: number;
  }
  connectionTypes.set(node, ConnectionClass);
  return ConnectionClass;
}

export function toConnection(page: Page): Connection {
  return {
    nodes: page.data,
    edges: page.data.map((node, i) => ({ node, cursor: page.cursors[i] })),
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
    totalCount: page.total,
  };
}

export function childConnection(page: ChildPage): Connection {
  return {
    nodes: page.rows,
    edges: page.rows.map((node, i) => ({ node, cursor: page.cursors[i] })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors[page.cursors.length - 1] ?? null },
  };
}

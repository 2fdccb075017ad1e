import { applyDecorators, Type } from '@nestjs/common';
import { Field, GraphQLISODateTime, ID, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { GraphQLJSON } from 'graphql-type-json';

export type PropKind =
  'string' | 'text' | 'int' | 'decimal' | 'boolean' | 'uuid' | 'datetime' | 'stringArray' | 'enum' | 'object';

export interface PropOptions {
  kind: PropKind;
  description: string;
  nullable?: boolean;
  /** enum values and the GraphQL enum object registered with registerEnumType */
  enumValues?: readonly string[];
  graphqlEnum?: object;
  /** nested object class (kind 'object') */
  objectType?: Type<unknown>;
  example?: unknown;
}

export interface InputPropOptions extends PropOptions {
  required?: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  email?: boolean;
  pattern?: RegExp;
  patternMessage?: string;
}

const DECIMAL_RE = /^-?\d{1,18}(\.\d{1,2})?$/;

function graphqlType(o: PropOptions): () => unknown {
  switch (o.kind) {
    case 'uuid':
      return () => ID;
    case 'int':
      return () => Int;
    case 'boolean':
      return () => Boolean;
    case 'datetime':
      return () => GraphQLISODateTime;
    case 'stringArray':
      return () => [String];
    case 'enum':
      return () => o.graphqlEnum;
    case 'object':
      return () => o.objectType;
    default:
      return () => String;
  }
}

function apiProperty(o: PropOptions, required: boolean): ApiPropertyOptions {
  const base = {
    description: o.description,
    required,
    nullable: o.nullable ?? !required,
    example: o.example,
  };
  switch (o.kind) {
    case 'uuid':
      return { ...base, type: String, format: 'uuid' };
    case 'int':
      return { ...base, type: 'integer' };
    case 'decimal':
      return { ...base, type: String, format: 'decimal', pattern: DECIMAL_RE.source };
    case 'boolean':
      return { ...base, type: Boolean };
    case 'datetime':
      return { ...base, type: String, format: 'date-time' };
    case 'stringArray':
      return { ...base, type: [String] };
    case 'enum':
      return { ...base, enum: [...(o.enumValues ?? [])] };
    case 'object':
      return { ...base, type: o.objectType };
    default:
      return { ...base, type: String };
  }
}

/** A field of a response type: GraphQL output field and OpenAPI property together. */
export function OutputProp(o: PropOptions): PropertyDecorator {
  return applyDecorators(
    Field(graphqlType(o) as never, { nullable: o.nullable ?? false, description: o.description }),
    ApiProperty(apiProperty(o, !(o.nullable ?? false))),
  );
}

/** Record fields field-level security can never hide (field-policy.ts pins them). */
const ALWAYS_VISIBLE = new Set(['id', 'createdAt', 'updatedAt', 'version']);

/**
 * A field of a record type (an object in the registry): like OutputProp, but field-level security
 * may hide it from a caller unless it is a system field. REST then omits the property (so only
 * system properties are `required` in OpenAPI) and GraphQL answers null with a FORBIDDEN_FIELD
 * error (so only system fields are non-null in the schema: a non-null field could not be null
 * without nulling its parent record).
 */
export function RecordProp(o: PropOptions): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    const pinned = ALWAYS_VISIBLE.has(String(key));
    const nullable = o.nullable ?? false;
    applyDecorators(
      Field(graphqlType(o) as never, { nullable: pinned ? nullable : true, description: o.description }),
      ApiProperty({ ...apiProperty(o, pinned && !nullable), nullable }),
    )(target, key);
  };
}

/** A field of an input type: GraphQL input field, OpenAPI property and class-validator rules together. */
export function InputProp(o: InputPropOptions): PropertyDecorator {
  const required = o.required ?? false;
  const rules: PropertyDecorator[] = [];
  if (!required) rules.push(IsOptional());
  switch (o.kind) {
    case 'string':
    case 'text':
      rules.push(IsString(), MaxLength(o.maxLength ?? (o.kind === 'text' ? 100_000 : 500)));
      if (required) rules.push(IsNotEmpty());
      if (o.email) rules.push(IsEmail({}, { message: '$property must be an email address' }));
      if (o.pattern)
        rules.push(
          Matches(o.pattern, { message: o.patternMessage ?? `$property must match ${o.pattern.source}` }),
        );
      break;
    case 'int':
      rules.push(IsInt(), Min(o.min ?? -2147483648), Max(o.max ?? 2147483647));
      break;
    case 'decimal':
      rules.push(IsString({ message: '$property must be a decimal string such as "1250000.00"' }));
      rules.push(
        Matches(DECIMAL_RE, {
          message: '$property must be a decimal string with at most 18 digits and 2 decimals',
        }),
      );
      break;
    case 'boolean':
      rules.push(IsBoolean());
      break;
    case 'uuid':
      rules.push(IsUUID('all'));
      break;
    case 'datetime':
      rules.push(IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 date-time' }));
      break;
    case 'stringArray':
      rules.push(IsString({ each: true }), MaxLength(100, { each: true }), ArrayMaxSize(100));
      break;
    case 'enum':
      rules.push(
        IsIn([...(o.enumValues ?? [])], {
          message: `$property must be one of: ${(o.enumValues ?? []).join(', ')}`,
        }),
      );
      break;
    case 'object':
      rules.push(
        ValidateNested(),
        TransformType(() => o.objectType as Type<unknown>),
      );
      break;
  }
  return applyDecorators(
    Field(graphqlType(o) as never, { nullable: !required, description: o.description }),
    ApiProperty(apiProperty(o, required)),
    ...rules,
  );
}

export { GraphQLJSON };

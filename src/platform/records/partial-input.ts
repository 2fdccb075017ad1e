import { Type } from '@nestjs/common';
import { InputType, PartialType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';

// @nestjs/swagger keeps property metadata under these keys (dist/constants.js); the package's
// exports map does not expose that file, so the two keys are repeated here.
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';

/**
 * The update input of an object: every field of its create input made optional, for GraphQL,
 * class-validator and OpenAPI at once (each library's own PartialType covers only itself).
 */
export function PartialInput<T>(classRef: Type<T>): Type<Partial<T>> {
  const partial = PartialType(classRef, InputType) as Type<Partial<T>>;
  const names: string[] = Reflect.getMetadata(API_MODEL_PROPERTIES_ARRAY, classRef.prototype) ?? [];
  for (const key of names) {
    const name = key.replace(/^:/, '');
    const meta = Reflect.getMetadata(API_MODEL_PROPERTIES, classRef.prototype, name) ?? {};
    ApiProperty({ ...meta, required: false, nullable: true })(partial.prototype as object, name);
  }
  return partial;
}

import { Resolver } from '@nestjs/graphql';
import { RecordResolver } from '../../../platform/records/record.resolver.js';
import { CreateProductInput, ProductDto, UpdateProductInput } from './product.dto.js';
import { ProductsService } from './products.service.js';

@Resolver(() => ProductDto)
export class ProductsResolver extends RecordResolver({
  typeName: 'Product',
  singular: 'product',
  plural: 'products',
  output: ProductDto,
  create: CreateProductInput,
  update: UpdateProductInput,
}) {
  constructor(protected readonly service: ProductsService) {
    super();
  }
}

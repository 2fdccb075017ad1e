import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RecordController } from '../../../platform/records/record.controller.js';
import { CreateProductInput, ProductDto, UpdateProductInput } from './product.dto.js';
import { ProductsService } from './products.service.js';

@ApiTags('products')
@ApiBearerAuth('bearer')
@Controller('v1/products')
export class ProductsController extends RecordController({
  typeName: 'Product',
  output: ProductDto,
  create: CreateProductInput,
  update: UpdateProductInput,
}) {
  constructor(protected readonly service: ProductsService) {
    super();
  }
}

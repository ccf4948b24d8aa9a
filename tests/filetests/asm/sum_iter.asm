# sum_iter (array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rcx
  movq 0x18(%rdi), %r8
  movl 4(%rdx), %r8d
  leal 1(%r8), %r9d
  movl %r9d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r9d
  leal 1(%r8), %r8d
  cmpl %r9d, %r8d
  jnbe    label8; j label2
block2:
  uninit  %rdi
  xorq %rdi, %rdi
  uninit  %r8
  xorl %r8d, %r8d
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  jmp     label3
block3:
  cmpq %rcx, %rdi
  jl      label6; j label4
block4:
  jmp     label5
block5:
  movb %r8b, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block6:
  vmovsd (%rax, %rdi, 8), %xmm1
  jmp     label7
block7:
  leaq 1(%rdi), %rdi
  movl $0x1, %r8d
  vaddsd %xmm1, %xmm0, %xmm0
  jmp     label3
block8:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %rdi
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %rdi, 0x28(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq

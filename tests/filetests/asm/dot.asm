# dot (array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 32 }
  subq $0x20, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
block0:
  movq (%rdi), %r12
  movq 8(%rdi), %rbx
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %r11
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %r10
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %r8
  movl 4(%rdx), %edi
  leal 1(%rdi), %r13d
  movl %r13d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r13d
  leal 1(%rdi), %edi
  cmpl %r13d, %edi
  jnbe    label12; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rax, %r13
  addq $0x0, %r13
  seto %dil
  cmpq %r9, %r13
  setg %r13b
  orl %edi, %r13d
  testb %r13b, %r13b
  jnz     label11; j label5
block5:
  uninit  %r8
  xorq %r8, %r8
  uninit  %r9
  xorl %r9d, %r9d
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  jmp     label6
block6:
  cmpq %rax, %r8
  jl      label9; j label7
block7:
  jmp     label8
block8:
  movb %r9b, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block9:
  vmovsd (%r12, %r8, 8), %xmm1
  vmovsd (%rcx, %r8, 8), %xmm2
  jmp     label10
block10:
  leaq 1(%r8), %r8
  movl $0x1, %r9d
  vmulsd %xmm2, %xmm1, %xmm1
  vaddsd %xmm1, %xmm0, %xmm0
  jmp     label6
block11:
  movq %r12, 0x10(%rdx)
  movq %rbx, 0x18(%rdx)
  movq %rax, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq %rcx, 0x30(%rdx)
  movq %r10, 0x38(%rdx)
  movq %r9, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  uninit  %xmm3
  vxorpd %xmm3, %xmm3, %xmm5
  vmovsd %xmm5, 0x50(%rdx)
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block12:
  movq %r12, 0x10(%rdx)
  movq %rbx, 0x18(%rdx)
  movq %rax, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq %rcx, 0x30(%rdx)
  movq %r10, 0x38(%rdx)
  movq %r9, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
